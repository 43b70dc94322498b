-- GET /lua/rest/v{1,2}/get/am_host/alert/list.lua: a page of am_host alerts with
-- the DataTables envelope members (rest-alerts-checks.md §3.2, §3.3).
require("alert_utils").list("am_host", _GET)
