-- GET /lua/rest/v1/get/l4/protocol/consts.lua: the fixed L4 protocol list.
local rest_utils = require "rest_utils"
rest_utils.answer(rest_utils.consts.success.ok, ntop.getL4ProtocolConsts())
