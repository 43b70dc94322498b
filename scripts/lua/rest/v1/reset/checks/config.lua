-- /lua/rest/v1/reset/checks/config.lua: back to the default checks
-- configuration; alert exclusions are deleted (rest-alerts-checks.md
-- §4.6). Administrators only (checked by the server).
local rest_utils = require "rest_utils"
rest_utils.answer_rc(ntop.resetChecksConfig())
