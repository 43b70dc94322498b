-- POST /lua/rest/v1/set/host/alias.lua: set (or with "" delete) the alias
-- of a host (spec C.7). Parameters come from the request body only.
local rest_utils = require "rest_utils"

local host, custom_name = _POST["host"], _POST["custom_name"]
if rest_utils.isempty(host) or custom_name == nil then
   rest_utils.answer(rest_utils.consts.err.invalid_args)
   return
end
if not ntop.isAdministrator() then
   rest_utils.answer(rest_utils.consts.err.not_granted)
   return
end
local ok = ntop.setHostAlias(host, custom_name)
if not ok then
   rest_utils.answer(rest_utils.consts.err.invalid_args)
   return
end
rest_utils.answer(rest_utils.consts.success.ok)
