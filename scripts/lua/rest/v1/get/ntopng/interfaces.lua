-- GET /lua/rest/v1/get/ntopng/interfaces.lua: the monitored interfaces.
local rest_utils = require "rest_utils"

local rsp = {}
for ifid, ifname in pairs(interface.getIfNames()) do
   rsp[#rsp + 1] = { ifid = tonumber(ifid), ifname = ifname }
end

rest_utils.answer(rest_utils.consts.success.ok, rsp)
