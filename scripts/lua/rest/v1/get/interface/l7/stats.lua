-- GET /lua/rest/v1/get/interface/l7/stats.lua: application slices of the
-- interface, by active flow count or by bytes since start (spec B.5).
local rest_utils = require "rest_utils"
local stats_utils = require "stats_utils"

if not rest_utils.select_interface(_GET["ifid"]) then return end
local mode = _GET["ndpistats_mode"]
if mode ~= "count" and mode ~= "sinceStartup" then
   rest_utils.answer(rest_utils.consts.err.invalid_args)
   return
end

local function with_url(s)
   if interface.getnDPIProtoId(s.label) ~= nil then
      s.url = "/lua/flows_stats.lua?application=" .. s.label
   end
   s.proto = nil
   return s
end

local rsp = {}
if mode == "count" then
   local counts, tot = {}, 0
   for name, n in pairs(interface.getActiveFlowsStats().l7) do
      counts[#counts + 1] = { label = name, value = n }
      tot = tot + n
   end
   table.sort(counts, function(a, b)
      if a.value ~= b.value then return a.value > b.value end
      return a.label < b.label
   end)
   local threshold = tot * 3 / 100
   for _, c in ipairs(counts) do
      if #rsp == 5 or c.value <= threshold then break end
      rsp[#rsp + 1] = with_url(c)
      tot = tot - c.value
   end
   if tot > 0 then
      rsp[#rsp + 1] = { label = "Other", value = tot }
   elseif #rsp == 0 then
      rsp[1] = { label = "No Flows", value = 0 }
   end
else
   local by_breed = stats_utils.is_true(_GET["breed"])
   local by_category = not by_breed and stats_utils.is_true(_GET["ndpi_category"])
   local stats, extra = interface.getStats(), interface.getStatsExtra()
   local slices = stats_utils.ndpi_slices(stats.ndpi, extra.ndpi_categories, by_breed, by_category)
   if not by_breed and not by_category and extra.arp_bytes > 0 then
      -- ARP frames are not flows: they have their own slice (and are not
      -- part of Unknown here, so nothing is subtracted from it).
      slices[#slices + 1] = { label = "ARP", value = extra.arp_bytes }
   end
   for _, s in ipairs(stats_utils.collapse(slices, 3)) do
      if s.proto then with_url(s) end
      rsp[#rsp + 1] = s
   end
end

rest_utils.answer(rest_utils.consts.success.ok, rsp)
