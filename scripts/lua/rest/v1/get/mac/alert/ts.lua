-- GET /lua/rest/v{1,2}/get/mac/alert/ts.lua: mac alerts per severity over
-- time, or per day and hour with by_24h (rest-alerts-checks.md §3.4).
require("alert_utils").ts("mac", _GET)
