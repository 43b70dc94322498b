-- POST /lua/toggle_all_checks.lua {"ifid":0,"action":"enable"|"disable"}:
-- the GUI page that switches every check on or off, called by the
-- reference scenarios before their REST calls. It answers an empty body,
-- as the v1 references expect (rest-dataplane.md). Administrators only
-- (checked by the server).
local action = _POST.action or _GET.action
if action == "enable" or action == "disable" then
   ntop.enableAllChecks(action == "enable")
end
