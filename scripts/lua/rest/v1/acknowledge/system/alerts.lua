-- /lua/rest/v{1,2}/acknowledge/system/alerts.lua: acknowledges the stored
-- system alerts matching the filters, with label (rest-alerts-checks.md §3.5).
require("alert_utils").acknowledge("system", _GET)
