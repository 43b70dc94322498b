-- GET /lua/rest/v1/get/ntopng/users.lua: the users, keyed by username
-- (rest-users-auth.md 3.1). Administrators only (checked by the server).
-- No password material is ever part of the answer.
local rest_utils = require "rest_utils"

rest_utils.answer(rest_utils.consts.success.ok, ntop.getUsers())
