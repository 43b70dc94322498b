-- GET /lua/rest/v1/get/host/interfaces.lua: interfaces where a host is in
-- memory (spec C.2).
local rest_utils = require "rest_utils"

local host, vlan = _GET["host"], _GET["vlan"]
if rest_utils.isempty(host) then
   rest_utils.answer(rest_utils.consts.err.invalid_args)
   return
end

-- The answer key is rebuilt from the parameters: host part as given, then
-- @vlan only when the VLAN is not 0.
local base, at_vlan = string.match(host, "^(.*)@(%d+)$")
local v = tonumber(at_vlan or vlan) or 0
local key = (base or host)
if v ~= 0 then key = key .. "@" .. v end

local ifaces = {}
for id, _ in pairs(interface.getIfNames()) do
   interface.select(tostring(id))
   if interface.getHostMinInfo(base or host, tostring(v)) ~= nil then
      ifaces[#ifaces + 1] = { ifid = tonumber(id) }
   end
end

rest_utils.answer(rest_utils.consts.success.ok, { [key] = ifaces })
