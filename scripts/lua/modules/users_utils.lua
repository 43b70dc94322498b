-- users_utils: helpers of the user-management endpoints.
local rest_utils = require "rest_utils"

local users_utils = {}

-- interface_name converts an allowed_interface parameter (an interface id,
-- or "" for all) into the interface name that is stored. Returns nil for
-- an id that names no interface.
function users_utils.interface_name(id)
   if id == nil or id == "" then return "" end
   local name = interface.getIfNames()[tonumber(id)]
   return name
end

-- answer_result answers a (rc_str, message) pair from the user bindings;
-- a failure carries its reason in rsp.error.
function users_utils.answer_result(code, msg)
   local c = rest_utils.consts.success.ok
   if code ~= "OK" then
      c = rest_utils.code(code)
   end
   if msg then
      rest_utils.answer(c, { error = msg })
   else
      rest_utils.answer(c)
   end
end

-- create_session answers create/ntopng/session and get/ntopng/session
-- (rest-users-auth.md 3.5): administrators for anyone, others for
-- themselves; auth_session_duration in seconds, 0 (default) never expires.
function users_utils.create_session(params)
   local user = params.username
   if rest_utils.isempty(user) then
      rest_utils.answer(rest_utils.consts.err.invalid_args, { error = "missing parameter username" })
      return
   end
   local id, err = ntop.createSession(user, tonumber(params.auth_session_duration) or 0)
   if id == nil then
      rest_utils.answer(rest_utils.consts.err.invalid_args, { error = err })
      return
   end
   rest_utils.answer(rest_utils.consts.success.ok, { session = id })
end

return users_utils
