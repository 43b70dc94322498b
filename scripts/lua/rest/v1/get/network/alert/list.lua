-- GET /lua/rest/v{1,2}/get/network/alert/list.lua: a page of network alerts with
-- the DataTables envelope members (rest-alerts-checks.md §3.2, §3.3).
require("alert_utils").list("network", _GET)
