-- GET /lua/rest/v1/get/network/pools.lua[?pool=N]: the local_network pools
-- (rest-pools.md §2.4, §5.2). Any authenticated user.
require("pools_utils").get("local_network", _GET)
