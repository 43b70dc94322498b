-- POST /lua/rest/v1/add/network/pool.lua: create a local_network pool
-- (rest-pools.md §5.2). Body: pool_name, pool_members (comma list,
-- may be empty), optional recipients (comma list of recipient ids).
-- Administrators only (checked by the server).
require("pools_utils").add("local_network", _POST)
