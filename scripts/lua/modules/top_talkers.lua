-- top_talkers: the local/remote top-talker lists of the Pro endpoints
-- (rest-dataplane.md C.8): hosts by traffic since the last minute
-- checkpoint, the ten largest, the rest folded into "Other", and entries
-- under 5 % of the total dropped once there are at least 5 of them.
local rest_utils = require "rest_utils"
local host_labels = require "host_labels"

local top_talkers = {}

function top_talkers.answer(params, is_local)
   if not rest_utils.select_interface(params["ifid"]) then return end
   local list, rest = interface.getTopTalkers(is_local)
   local total = rest
   for _, h in ipairs(list) do total = total + h.value end
   local rsp = {}
   for _, h in ipairs(list) do
      if #list < 5 or h.value * 100 >= total * 5 then
         local e = { address = h.key, value = h.value, ipaddr = h.ip,
            ["local"] = is_local and "true" or "false" }
         local label = host_labels.label(h.ip, nil, h.name)
         if label ~= h.ip then e.label = label end
         rsp[#rsp + 1] = e
      else
         rest = rest + h.value
      end
   end
   if rest > 0 then rsp[#rsp + 1] = { address = "Other", value = rest } end
   rest_utils.answer(rest_utils.consts.success.ok, rsp)
end

return top_talkers
