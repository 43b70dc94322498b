-- GET /lua/rest/v{1,2}/get/host/alert/ts.lua: host alerts per severity over
-- time, or per day and hour with by_24h (rest-alerts-checks.md §3.4).
require("alert_utils").ts("host", _GET)
