-- /lua/rest/v{1,2}/delete/mac/alerts.lua: deletes the stored mac alerts
-- matching the filters (rest-alerts-checks.md §3.6).
require("alert_utils").delete("mac", _GET)
