-- GET /lua/rest/v1/get/pools.lua: the pools of every type, each with the
-- "key" naming its type (rest-pools.md §2.5). Any authenticated user.
local rest_utils = require "rest_utils"
rest_utils.answer(rest_utils.consts.success.ok, ntop.getAllPools())
