-- stats_utils: the slice rules shared by the l7 and DSCP statistics
-- endpoints (rest-dataplane.md B.5, B.6, C.5, C.6).
local stats_utils = {}

-- collapse keeps the largest slice, then every slice worth at least pct %
-- of the total; the others are summed into an "Other" slice, which is
-- always appended when there is at least one slice. slices: array of
-- tables with at least label and value; extra members are kept.
function stats_utils.collapse(slices, pct)
   if #slices == 0 then return {} end
   local total = 0
   for _, s in ipairs(slices) do total = total + s.value end
   local bound = total * pct / 100
   table.sort(slices, function(a, b)
      if a.value ~= b.value then return a.value > b.value end
      return a.label < b.label
   end)
   local out, other = { slices[1] }, 0
   for i = 2, #slices do
      if slices[i].value >= bound then
         out[#out + 1] = slices[i]
      else
         other = other + slices[i].value
      end
   end
   out[#out + 1] = { label = "Other", value = other }
   return out
end

-- ndpi_slices builds the per-protocol, per-breed or per-category byte
-- slices of an ndpi / ndpi_categories pair (interface or host).
function stats_utils.ndpi_slices(ndpi, categories, by_breed, by_category)
   local slices = {}
   if by_breed then
      local breeds = {}
      for _, p in pairs(ndpi or {}) do
         breeds[p.breed] = (breeds[p.breed] or 0) + p["bytes.sent"] + p["bytes.rcvd"]
      end
      for breed, v in pairs(breeds) do slices[#slices + 1] = { label = breed, value = v } end
   elseif by_category then
      for name, c in pairs(categories or {}) do
         slices[#slices + 1] = { label = name, value = c["bytes.sent"] + c["bytes.rcvd"] }
      end
   else
      for name, p in pairs(ndpi or {}) do
         local v = p["bytes.sent"] + p["bytes.rcvd"]
         if v > 0 then slices[#slices + 1] = { label = name, value = v, proto = true } end
      end
   end
   return slices
end

local dscp_labels = {
   cs0 = "Best Effort (CS0)", cs1 = "Priority (CS1)", cs2 = "Immediate (CS2)",
   cs3 = "Flash (CS3)", cs4 = "Flash Override (CS4)", cs5 = "Critical (CS5)",
   cs6 = "Internetwork Control (CS6)", cs7 = "Network Control (CS7)",
   le = "LE", unknown = "Unknown",
}

-- dscp_slices turns a dscp table into slices; value(c) picks the number.
function stats_utils.dscp_slices(dscp, value)
   local slices = {}
   for class, c in pairs(dscp or {}) do
      local v = value(c)
      if v > 0 then slices[#slices + 1] = { label = dscp_labels[class] or class, value = v } end
   end
   return slices
end

-- is_true: breed/ndpi_category count only when exactly "true".
function stats_utils.is_true(v) return v == "true" end

return stats_utils
