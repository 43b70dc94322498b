-- GET /lua/rest/v1/get/interface/dscp/stats.lua: packets per DSCP class of
-- the interface (spec B.6).
local rest_utils = require "rest_utils"
local stats_utils = require "stats_utils"

if not rest_utils.select_interface(_GET["ifid"]) then return end
local slices = stats_utils.dscp_slices(interface.getStatsExtra().dscp, function(c)
   return c["packets.sent"] + c["packets.rcvd"]
end)
rest_utils.answer(rest_utils.consts.success.ok, stats_utils.collapse(slices, 1))
