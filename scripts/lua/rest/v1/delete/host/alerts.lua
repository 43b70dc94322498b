-- /lua/rest/v{1,2}/delete/host/alerts.lua: deletes the stored host alerts
-- matching the filters (rest-alerts-checks.md §3.6).
require("alert_utils").delete("host", _GET)
