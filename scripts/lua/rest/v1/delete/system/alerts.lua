-- /lua/rest/v{1,2}/delete/system/alerts.lua: deletes the stored system alerts
-- matching the filters (rest-alerts-checks.md §3.6).
require("alert_utils").delete("system", _GET)
