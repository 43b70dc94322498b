-- GET /lua/rest/v{1,2}/get/user/alert/list.lua: a page of user alerts with
-- the DataTables envelope members (rest-alerts-checks.md §3.2, §3.3).
require("alert_utils").list("user", _GET)
