-- /lua/rest/v{1,2}/delete/network/alerts.lua: deletes the stored network alerts
-- matching the filters (rest-alerts-checks.md §3.6).
require("alert_utils").delete("network", _GET)
