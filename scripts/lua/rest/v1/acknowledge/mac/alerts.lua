-- /lua/rest/v{1,2}/acknowledge/mac/alerts.lua: acknowledges the stored
-- mac alerts matching the filters, with label (rest-alerts-checks.md §3.5).
require("alert_utils").acknowledge("mac", _GET)
