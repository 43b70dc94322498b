-- GET /lua/pro/rest/v1/get/interface/top/remote/talkers.lua (spec C.8).
require("top_talkers").answer(_GET, false)
