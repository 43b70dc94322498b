-- POST /lua/rest/v1/delete/network/pool.lua: delete a local_network pool
-- (rest-pools.md §2.3, §5.2). Body: pool. Administrators only (checked by
-- the server). Deleting a built-in pool empties it.
require("pools_utils").delete("local_network", _POST)
