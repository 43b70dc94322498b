-- /lua/rest/v2/reset/pool/config.lua: delete every host pool; pools 0
-- "Default" and 1 "Jailed Hosts" come back empty
-- (rest-config-import-export.md §3.3). Administrators only (checked by
-- the server).
local rest_utils = require "rest_utils"
rest_utils.answer_rc(ntop.resetConfig("pool"))
