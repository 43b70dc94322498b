-- POST /lua/rest/v1/edit/host_pool/pool.lua: the recipients of the legacy
-- "pool of host pools" (rest-pools.md §5.3). Body: pool (0), pool_name,
-- pool_members (required, ignored), recipients. Administrators only
-- (checked by the server).
local rest_utils = require "rest_utils"
local pools_utils = require "pools_utils"

local p = pools_utils.required(_POST, { "pool", "pool_name", "pool_members" })
if p == nil then return end
rest_utils.answer_rc(ntop.editPool("host_pool", tonumber(p.pool), p.pool_name, "", p.recipients))
