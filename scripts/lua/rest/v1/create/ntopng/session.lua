-- POST /lua/rest/v1/create/ntopng/session.lua: open a session (rest-users-auth.md 3.5).
require("users_utils").create_session(_POST)
