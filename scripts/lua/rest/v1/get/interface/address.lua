-- GET /lua/rest/v1/get/interface/address.lua: the addresses configured on
-- the capture device (spec B.3); none for pcap files.
local rest_utils = require "rest_utils"

if not rest_utils.select_interface(_GET["ifid"]) then return end
rest_utils.answer(rest_utils.consts.success.ok, { addresses = interface.getAddresses() })
