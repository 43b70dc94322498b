-- GET /lua/rest/v{1,2}/get/all/alert/list.lua: one record per family with
-- its alert counts, with the DataTables envelope members
-- (rest-alerts-checks.md §3.2).
require("alert_utils").list("all", _GET)
