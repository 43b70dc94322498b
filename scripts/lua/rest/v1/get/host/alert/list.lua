-- GET /lua/rest/v{1,2}/get/host/alert/list.lua: a page of host alerts with
-- the DataTables envelope members (rest-alerts-checks.md §3.2, §3.3).
require("alert_utils").list("host", _GET)
