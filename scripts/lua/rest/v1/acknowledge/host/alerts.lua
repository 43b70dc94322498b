-- /lua/rest/v{1,2}/acknowledge/host/alerts.lua: acknowledges the stored
-- host alerts matching the filters, with label (rest-alerts-checks.md §3.5).
require("alert_utils").acknowledge("host", _GET)
