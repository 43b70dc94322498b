-- POST /lua/rest/v1/edit/ntopng/user.lua: change a user
-- (rest-users-auth.md 3.3). Administrators only (checked by the server).
-- All changes are validated first and stored in one transaction: a bad
-- field changes nothing.
local rest_utils = require "rest_utils"
local users_utils = require "users_utils"

local p = _POST
if rest_utils.isempty(p.username) then
   rest_utils.answer(rest_utils.consts.err.invalid_args, { error = "missing parameter username" })
   return
end

local changes = {}
-- allow_alerts and allow_historical_flows are applied for v2 URLs only.
for _, k in ipairs({ "full_name", "user_role", "allowed_networks", "allow_pcap_download", "host_pool_id",
                    "allow_alerts", "allow_historical_flows" }) do
   if p[k] ~= nil and p[k] ~= "" then changes[k] = p[k] end
end
if p.user_language ~= nil and p.user_language ~= "" then changes.language = p.user_language end
if p.allowed_interface ~= nil then
   local ifname = users_utils.interface_name(p.allowed_interface)
   if ifname == nil then
      rest_utils.answer(rest_utils.consts.err.invalid_args, { error = "no interface " .. p.allowed_interface })
      return
   end
   changes.allowed_ifname = ifname
end
local password_change = p.password ~= nil and p.confirm_password ~= nil
if password_change then changes.password = p.password end
if next(changes) == nil then
   rest_utils.answer(rest_utils.consts.err.invalid_args, { error = "nothing to change" })
   return
end
if password_change and p.password ~= p.confirm_password then
   rest_utils.answer(rest_utils.code("PASSWORD_MISMATCH"))
   return
end

users_utils.answer_result(ntop.editUser(p.username, changes))
