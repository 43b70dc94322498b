-- GET /lua/rest/v{1,2}/get/alert/severity/counters.lua: stored alerts of an
-- interface per entity and severity (rest-alerts-checks.md §2.4).
require("alert_utils").counters("severity", _GET)
