-- /lua/rest/v{1,2}/acknowledge/flow/alerts.lua: acknowledges the stored
-- flow alerts matching the filters, with label (rest-alerts-checks.md §3.5).
require("alert_utils").acknowledge("flow", _GET)
