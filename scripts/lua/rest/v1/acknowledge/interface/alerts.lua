-- /lua/rest/v{1,2}/acknowledge/interface/alerts.lua: acknowledges the stored
-- interface alerts matching the filters, with label (rest-alerts-checks.md §3.5).
require("alert_utils").acknowledge("interface", _GET)
