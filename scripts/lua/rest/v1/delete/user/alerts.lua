-- /lua/rest/v{1,2}/delete/user/alerts.lua: deletes the stored user alerts
-- matching the filters (rest-alerts-checks.md §3.6).
require("alert_utils").delete("user", _GET)
