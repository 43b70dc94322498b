-- POST /lua/rest/v1/add/host/pool.lua: create a host pool
-- (rest-pools.md §2.1). Body: pool_name, pool_members (comma list,
-- may be empty), optional recipients (comma list of recipient ids).
-- Administrators only (checked by the server).
require("pools_utils").add("host", _POST)
