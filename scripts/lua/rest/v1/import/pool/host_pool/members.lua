-- POST /lua/rest/v1/import/pool/host_pool/members.lua: add members to a
-- host pool, one per line (rest-pools.md §3.4). Lines that are no member
-- and members already in a pool are skipped. Body: pool,
-- host_pool_members. Administrators only (checked by the server).
local rest_utils = require "rest_utils"
local pools_utils = require "pools_utils"

local p = pools_utils.required(_POST, { "pool", "host_pool_members" })
if p == nil then return end
rest_utils.answer_rc(ntop.importPoolMembers(tonumber(p.pool), p.host_pool_members))
