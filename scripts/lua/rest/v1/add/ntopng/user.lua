-- POST /lua/rest/v1/add/ntopng/user.lua: create a user
-- (rest-users-auth.md 3.2). Parameters come from the body only.
-- Administrators only (checked by the server); every field is validated
-- before anything is written.
local rest_utils = require "rest_utils"
local users_utils = require "users_utils"

local p = _POST
for _, k in ipairs({ "username", "full_name", "password", "confirm_password", "user_role",
   "allowed_networks", "allowed_interface" }) do
   if p[k] == nil or (k ~= "allowed_interface" and rest_utils.isempty(p[k])) then
      rest_utils.answer(rest_utils.consts.err.invalid_args, { error = "missing parameter " .. k })
      return
   end
end
if p.password ~= p.confirm_password then
   rest_utils.answer(rest_utils.code("PASSWORD_MISMATCH"))
   return
end
local ifname = users_utils.interface_name(p.allowed_interface)
if ifname == nil then
   rest_utils.answer(rest_utils.consts.err.invalid_args, { error = "no interface " .. p.allowed_interface })
   return
end

users_utils.answer_result(ntop.addUser({
   username = p.username, full_name = p.full_name, password = p.password,
   user_role = p.user_role, allowed_networks = p.allowed_networks, allowed_ifname = ifname,
   language = p.user_language or p.add_user_language or "",
   allow_pcap_download = p.allow_pcap_download, host_pool_id = p.host_pool_id,
   -- v2 URLs only (the binding ignores them under v1)
   allow_alerts = p.allow_alerts, allow_historical_flows = p.allow_historical_flows,
}))
