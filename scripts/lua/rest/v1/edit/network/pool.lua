-- POST /lua/rest/v1/edit/network/pool.lua: rename a local_network pool and replace
-- its members (rest-pools.md §2.2, §5.2). Body: pool, pool_name, pool_members,
-- optional recipients. Administrators only (checked by the server).
require("pools_utils").edit("local_network", _POST)
