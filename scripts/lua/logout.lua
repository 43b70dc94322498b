-- /lua/logout.lua: ends the caller's session (when it came with a session
-- cookie) and answers OK.
local rest_utils = require "rest_utils"

ntop.logout()
rest_utils.answer(rest_utils.consts.success.ok)
