-- POST /lua/rest/v1/set/checks/config.lua: replace the checks
-- configuration with JSON, the object get/checks/config answers, as a
-- string (rest-alerts-checks.md §4.4). Administrators only (checked by
-- the server).
local rest_utils = require "rest_utils"

if rest_utils.isempty(_POST.JSON) then
   rest_utils.answer(rest_utils.consts.err.invalid_args, { error = "missing parameter JSON" })
   return
end
rest_utils.answer_rc(ntop.setChecksConfig(_POST.JSON))
