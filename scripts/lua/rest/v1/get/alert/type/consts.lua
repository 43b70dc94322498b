-- GET /lua/rest/v1/get/alert/type/consts.lua: every alert type of every
-- family as {type, key} (keys repeat across families). No parameters, no
-- capability check.
local rest_utils = require "rest_utils"
rest_utils.answer(rest_utils.consts.success.ok, ntop.getAlertTypes())
