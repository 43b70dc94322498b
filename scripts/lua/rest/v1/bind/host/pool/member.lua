-- POST /lua/rest/v1/bind/host/pool/member.lua: put one member in a host
-- pool (rest-pools.md §3.2). pool (query or body), member, and with
-- action=edit the old_member it replaces (body). Pool 0 removes the member
-- from its pool. Administrators only (checked by the server).
local rest_utils = require "rest_utils"
local pools_utils = require "pools_utils"

local pool = _GET.pool or _POST.pool
if rest_utils.isempty(pool) then
   rest_utils.answer(rest_utils.consts.err.invalid_args, { error = "missing parameter pool" })
   return
end
if pools_utils.required(_POST, { "member" }) == nil then return end
local old
if _POST.action == "edit" then
   if pools_utils.required(_POST, { "old_member" }) == nil then return end
   old = _POST.old_member
end
rest_utils.answer_rc(ntop.bindPoolMember(tonumber(pool), _POST.member, old))
