-- GET /lua/rest/v{1,2}/get/alert/type/counters.lua: stored alerts of an
-- interface per entity and alert type (rest-alerts-checks.md §2.4).
require("alert_utils").counters("type", _GET)
