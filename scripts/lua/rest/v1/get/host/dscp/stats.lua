-- GET /lua/rest/v1/get/host/dscp/stats.lua: packets sent (or received,
-- direction=recv) per DSCP class of one host (spec C.6).
local rest_utils = require "rest_utils"
local stats_utils = require "stats_utils"

local info = rest_utils.host_info(_GET)
if info == nil then return end
local key = (_GET["direction"] == "recv") and "packets.rcvd" or "packets.sent"
local slices = stats_utils.dscp_slices(info.dscp, function(c) return c[key] end)
rest_utils.answer(rest_utils.consts.success.ok, stats_utils.collapse(slices, 1))
