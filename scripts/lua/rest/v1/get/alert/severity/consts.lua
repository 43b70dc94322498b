-- GET /lua/rest/v1/get/alert/severity/consts.lua: the 8 alert severities
-- as {severity, id}. No parameters, no capability check.
local rest_utils = require "rest_utils"
rest_utils.answer(rest_utils.consts.success.ok, ntop.getAlertSeverities())
