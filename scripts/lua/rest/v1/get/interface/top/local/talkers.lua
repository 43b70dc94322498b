-- GET /lua/pro/rest/v1/get/interface/top/local/talkers.lua (spec C.8).
require("top_talkers").answer(_GET, true)
