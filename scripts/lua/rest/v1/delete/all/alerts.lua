-- /lua/rest/v{1,2}/delete/all/alerts.lua: deletes the stored alerts of
-- every family matching the filters (rest-alerts-checks.md §3.6).
require("alert_utils").delete("all", _GET)
