-- GET /lua/rest/v1/get/interface/bcast_domains.lua: the broadcast domains
-- detected from ARP and broadcast traffic (spec A.5, B.4).
local rest_utils = require "rest_utils"

if not rest_utils.select_interface(_GET["ifid"]) then return end
rest_utils.answer(rest_utils.consts.success.ok, { bcast_domains = interface.getBcastDomains() })
