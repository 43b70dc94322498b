-- /lua/rest/v1/get/host/pool_by_member.lua: the host pool a member was
-- configured in, compared literally after normalization (rest-pools.md
-- §3.3); [] when in no pool. member and pool_name_only come from the body
-- or the query. Any authenticated user.
local rest_utils = require "rest_utils"

local member = _POST.member or _GET.member
if rest_utils.isempty(member) then
   rest_utils.answer(rest_utils.consts.err.invalid_args, { error = "missing parameter member" })
   return
end
local pool, err = ntop.getPoolByMember(member)
if err then
   rest_utils.answer(rest_utils.consts.err.invalid_args, { error = err })
   return
end
if pool == nil then
   rest_utils.answer(rest_utils.consts.success.ok)
   return
end
local short = _POST.pool_name_only or _GET.pool_name_only
if short == "true" or short == "1" then
   pool = { pool_id = pool.pool_id, name = pool.name }
end
rest_utils.answer(rest_utils.consts.success.ok, pool)
