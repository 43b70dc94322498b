-- POST /lua/rest/v1/get/ntopng/session.lua: the same as create/ntopng/session.
require("users_utils").create_session(_POST)
