-- POST /lua/rest/v1/delete/host/pool.lua: delete a host pool
-- (rest-pools.md §2.3). Body: pool. Administrators only (checked by
-- the server). Deleting a built-in pool empties it.
require("pools_utils").delete("host", _POST)
