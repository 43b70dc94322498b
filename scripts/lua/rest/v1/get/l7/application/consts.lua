-- GET /lua/rest/v1/get/l7/application/consts.lua: every L7 protocol with
-- its default category.
local rest_utils = require "rest_utils"

local rsp = {}
for name, id in pairs(interface.getnDPIProtocols()) do
   local cat = interface.getnDPIProtoCategory(tonumber(id))
   rsp[#rsp + 1] = { name = name, appl_id = tonumber(id), cat_id = cat.id }
end
rest_utils.answer(rest_utils.consts.success.ok, rsp)
