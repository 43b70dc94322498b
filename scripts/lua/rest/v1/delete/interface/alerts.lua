-- /lua/rest/v{1,2}/delete/interface/alerts.lua: deletes the stored interface alerts
-- matching the filters (rest-alerts-checks.md §3.6).
require("alert_utils").delete("interface", _GET)
