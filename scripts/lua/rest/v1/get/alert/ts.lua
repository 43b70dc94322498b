-- GET /lua/rest/v1/get/alert/ts.lua: alerts per UTC day and hour
-- (rest-alerts-checks.md §2.2), actually counted.
require("alert_utils").answer(ntop.getLegacyAlertSeries(_GET))
