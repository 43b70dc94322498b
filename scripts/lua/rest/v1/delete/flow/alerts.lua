-- /lua/rest/v{1,2}/delete/flow/alerts.lua: deletes the stored flow alerts
-- matching the filters (rest-alerts-checks.md §3.6).
require("alert_utils").delete("flow", _GET)
