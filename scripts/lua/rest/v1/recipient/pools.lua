-- GET /lua/rest/v1/recipient/pools.lua: the path the public spec prints
-- for get/recipient/pools.lua (rest-pools.md §5.4); same answer.
require("pools_utils").by_recipient(_GET)
