-- GET /lua/rest/v1/get/host/pools.lua[?pool=N]: the host pools
-- (rest-pools.md §2.4). Any authenticated user.
require("pools_utils").get("host", _GET)
