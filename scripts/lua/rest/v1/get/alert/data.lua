-- GET /lua/rest/v1/get/alert/data.lua: host alerts in the legacy record
-- format (rest-alerts-checks.md §2.1).
require("alert_utils").answer(ntop.getLegacyAlerts(_GET))
