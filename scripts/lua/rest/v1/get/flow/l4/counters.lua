-- GET /lua/rest/v1/get/flow/l4/counters.lua: active flows per L4 protocol.
local rest_utils = require "rest_utils"

if not rest_utils.select_interface(_GET["ifid"]) then return end

local rsp = {}
for id, count in pairs(interface.getActiveFlowsStats().l4) do
   rsp[#rsp + 1] = { id = id, count = count }
end
table.sort(rsp, function(a, b) return a.id < b.id end)
rest_utils.answer(rest_utils.consts.success.ok, rsp)
