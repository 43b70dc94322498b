-- POST /lua/rest/v1/edit/host/pool.lua: rename a host pool and replace
-- its members (rest-pools.md §2.2). Body: pool, pool_name, pool_members,
-- optional recipients. Administrators only (checked by the server).
require("pools_utils").edit("host", _POST)
