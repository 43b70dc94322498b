-- /lua/rest/v2/reset/pool/config.lua: delete every host pool; pools 0
-- "Default" and 1 "Jailed Hosts" come back empty
-- (rest-config-import-export.md §3.3). Administrators only (checked by
-- the server).
local pools_utils = require "pools_utils"
pools_utils.answer(ntop.resetConfig("pool"))
