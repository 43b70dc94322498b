-- GET /lua/rest/v1/get/host/custom_data.lua: chosen members of one host
-- record, or of every host, optionally renamed (spec C.4).
local rest_utils = require "rest_utils"

if not rest_utils.select_interface(_GET["ifid"]) then return end

local field_alias = _GET["field_alias"]
if field_alias ~= nil and rest_utils.isempty(field_alias) then
   rest_utils.answer(rest_utils.consts.err.invalid_args)
   return
end

-- fields: nil for the whole record, else a list of {field, alias}.
local fields
if field_alias ~= nil and field_alias ~= "all" then
   fields = {}
   for item in string.gmatch(field_alias, "[^,]+") do
      local f, a = string.match(item, "^([^=]*)=(.*)$")
      if f == nil then f, a = item, item end
      if f == "" or a == "" then
         -- "ip=" names no alias: refuse it instead of failing halfway.
         rest_utils.answer(rest_utils.consts.err.invalid_args)
         return
      end
      fields[#fields + 1] = { f, a }
   end
end

local function pick(info)
   if fields == nil then return info end
   local out = {}
   for _, fa in ipairs(fields) do
      local v = info[fa[1]]
      if v ~= nil then out[fa[2]] = v end
   end
   return out
end

local host = _GET["host"]
if not rest_utils.isempty(host) then
   local info = interface.getHostInfo(host, _GET["vlan"])
   if info == nil then
      rest_utils.answer(rest_utils.consts.err.not_found)
      return
   end
   rest_utils.answer(rest_utils.consts.success.ok, pick(info))
   return
end

local rsp = {}
for _, key in ipairs(interface.getHostKeys()) do
   local info = interface.getHostInfo(key)
   if info ~= nil then rsp[#rsp + 1] = pick(info) end
end
rest_utils.answer(rest_utils.consts.success.ok, rsp)
