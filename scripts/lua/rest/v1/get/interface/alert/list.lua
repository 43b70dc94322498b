-- GET /lua/rest/v{1,2}/get/interface/alert/list.lua: a page of interface alerts with
-- the DataTables envelope members (rest-alerts-checks.md §3.2, §3.3).
require("alert_utils").list("interface", _GET)
