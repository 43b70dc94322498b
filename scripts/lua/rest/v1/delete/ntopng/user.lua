-- POST /lua/rest/v1/delete/ntopng/user.lua: delete a user, its API token
-- and its sessions (rest-users-auth.md 3.4). Administrators only (checked
-- by the server). The last administrator cannot be deleted.
local rest_utils = require "rest_utils"
local users_utils = require "users_utils"

if rest_utils.isempty(_POST.username) then
   rest_utils.answer(rest_utils.consts.err.invalid_args, { error = "missing parameter username" })
   return
end
users_utils.answer_result(ntop.deleteUser(_POST.username))
