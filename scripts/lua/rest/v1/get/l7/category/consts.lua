-- GET /lua/rest/v1/get/l7/category/consts.lua: every category with the
-- protocols it holds (ids as strings, sorted by name case-insensitively).
local rest_utils = require "rest_utils"

local by_cat = {}
for name, id in pairs(interface.getnDPIProtocols()) do
   local cat = interface.getnDPIProtoCategory(tonumber(id)).id
   by_cat[cat] = by_cat[cat] or {}
   table.insert(by_cat[cat], { name = name, id = id })
end

local rsp = {}
for name, cat_id in pairs(interface.getnDPICategories()) do
   local apps = by_cat[tonumber(cat_id)] or {}
   table.sort(apps, function(a, b)
      local x, y = string.lower(a.name), string.lower(b.name)
      if x ~= y then return x < y end
      return a.name < b.name
   end)
   rsp[#rsp + 1] = { name = name, cat_id = tonumber(cat_id), app_list = apps }
end
table.sort(rsp, function(a, b) return a.cat_id < b.cat_id end)
rest_utils.answer(rest_utils.consts.success.ok, rsp)
