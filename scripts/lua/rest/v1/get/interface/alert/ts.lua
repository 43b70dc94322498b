-- GET /lua/rest/v{1,2}/get/interface/alert/ts.lua: interface alerts per severity over
-- time, or per day and hour with by_24h (rest-alerts-checks.md §3.4).
require("alert_utils").ts("interface", _GET)
