-- GET /lua/rest/v1/get/system/stats.lua: the machine and the process (spec
-- E.4): CPU, memory, alert queues, and the storage of the data directory.
local rest_utils = require "rest_utils"

local rsp = ntop.getSystemHostStats()
rsp.epoch = ntop.epoch()
rsp.storage = ntop.getStorageStats()
rest_utils.answer(rest_utils.consts.success.ok, rsp)
