-- GET /lua/rest/v{1,2}/get/flow/alert/list.lua: a page of flow alerts with
-- the DataTables envelope members (rest-alerts-checks.md §3.2, §3.3).
require("alert_utils").list("flow", _GET)
