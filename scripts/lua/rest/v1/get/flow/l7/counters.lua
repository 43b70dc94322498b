-- GET /lua/rest/v1/get/flow/l7/counters.lua: active flows per L7 protocol,
-- sorted by name.
local rest_utils = require "rest_utils"

if not rest_utils.select_interface(_GET["ifid"]) then return end

local rsp = {}
for name, count in pairs(interface.getActiveFlowsStats().l7) do
   rsp[#rsp + 1] = { name = name, count = count }
end
table.sort(rsp, function(a, b) return a.name < b.name end)
rest_utils.answer(rest_utils.consts.success.ok, rsp)
