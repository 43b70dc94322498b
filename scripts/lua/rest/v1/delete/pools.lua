-- /lua/rest/v1/delete/pools.lua: delete every pool of every type and
-- reset the id counters; the built-in pools come back empty
-- (rest-pools.md §2.6). Administrators only (checked by the server;
-- ntopng lets any user do it, see docs/compatibility.md).
local rest_utils = require "rest_utils"
rest_utils.answer_rc(ntop.deleteAllPools())
