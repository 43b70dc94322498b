-- GET /lua/rest/v1/get/host/l7/stats.lua: application slices of one host
-- by bytes (spec C.5).
local rest_utils = require "rest_utils"
local stats_utils = require "stats_utils"

local info = rest_utils.host_info(_GET)
if info == nil then return end

local by_breed = stats_utils.is_true(_GET["breed"])
local by_category = not by_breed and stats_utils.is_true(_GET["ndpi_category"])
local ndpi = info.ndpi or {}
local rsp = {}
for _, s in ipairs(stats_utils.collapse(stats_utils.ndpi_slices(ndpi, info.ndpi_categories, by_breed, by_category), 3)) do
   if s.label ~= "Other" or s.proto then
      local p = (not by_breed and not by_category) and ndpi[s.label] or nil
      s.duration = p and p.duration or 0
   end
   s.proto = nil
   rsp[#rsp + 1] = s
end
rest_utils.answer(rest_utils.consts.success.ok, rsp)
