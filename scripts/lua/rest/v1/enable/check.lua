-- POST /lua/rest/v1/enable/check.lua: enable every hook of one check
-- (rest-alerts-checks.md §4.5). Body: check_subdir, script_key. An
-- unknown check answers OK with {"success": false, "error": …}.
-- Administrators only (checked by the server).
local rest_utils = require "rest_utils"

for _, k in ipairs({ "check_subdir", "script_key" }) do
   if rest_utils.isempty(_POST[k]) then
      rest_utils.answer(rest_utils.consts.err.invalid_args, { error = "missing parameter " .. k })
      return
   end
end
rest_utils.answer_rc(ntop.enableCheck(_POST.check_subdir, _POST.script_key, true))
