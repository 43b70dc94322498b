-- POST /lua/rest/v1/create/ntopng/api_token.lua: a new API token for the
-- caller, or for username (administrators) (rest-users-auth.md 3.6). The
-- previous token of that user stops working. Use it as
-- "Authorization: Token <token>".
local rest_utils = require "rest_utils"

local user = _POST.username
if rest_utils.isempty(user) then user = nil end
local tok, err = ntop.createApiToken(user)
if tok == nil then
   rest_utils.answer(rest_utils.consts.err.invalid_args, { error = err })
   return
end
rest_utils.answer(rest_utils.consts.success.ok, { api_token = tok })
