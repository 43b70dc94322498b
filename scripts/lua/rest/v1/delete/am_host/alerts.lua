-- /lua/rest/v{1,2}/delete/am_host/alerts.lua: deletes the stored am_host alerts
-- matching the filters (rest-alerts-checks.md §3.6).
require("alert_utils").delete("am_host", _GET)
