-- GET /lua/rest/v1/get/recipient/pools.lua?recipient_id=N: the pools of
-- every type that carry recipient N, each with its "key" (rest-pools.md
-- §5.4). Any authenticated user.
require("pools_utils").by_recipient(_GET)
