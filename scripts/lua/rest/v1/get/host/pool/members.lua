-- GET /lua/rest/v1/get/host/pool/members.lua?pool=N: the members of a
-- host pool as {member, type, name, vlan, hostkey} (rest-pools.md §3.1).
-- Any authenticated user.
local rest_utils = require "rest_utils"

if rest_utils.isempty(_GET.pool) then
   rest_utils.answer(rest_utils.consts.err.invalid_args, { error = "missing parameter pool" })
   return
end
local pool = ntop.getPools("host", tonumber(_GET.pool))
if pool == nil then
   rest_utils.answer(rest_utils.code("POOL_NOT_FOUND"))
   return
end
local res = {}
for _, member in ipairs(pool.members) do
   res[#res + 1] = pool.member_details[member]
end
rest_utils.answer(rest_utils.consts.success.ok, res)
