-- GET /lua/rest/v1/get/host/pool/stats.lua?ifid=N[&pool=P]: live traffic
-- of the host pools on an interface: hosts, bytes, packets and throughput
-- of the hosts currently in each pool (an ntopng-go addition, see
-- docs/pools.md). Only the hosts the caller may see are counted.
local rest_utils = require "rest_utils"

if not rest_utils.select_interface(_GET.ifid) then return end
local stats = interface.getHostPoolsStats()
local res = {}
local only = tonumber(_GET.pool)
for _, pool in ipairs(ntop.getPools("host")) do
   if only == nil or only == pool.pool_id then
      local s = stats[pool.pool_id] or {}
      res[#res + 1] = {
         pool_id = pool.pool_id, name = pool.name,
         num_hosts = s.num_hosts or 0, num_local_hosts = s.num_local_hosts or 0,
         bytes = s.bytes or { sent = 0, rcvd = 0 }, packets = s.packets or { sent = 0, rcvd = 0 },
         throughput_bps = s.throughput_bps or 0, throughput_pps = s.throughput_pps or 0,
      }
   end
end
if only ~= nil and #res == 0 then
   rest_utils.answer(rest_utils.code("POOL_NOT_FOUND"))
   return
end
rest_utils.answer(rest_utils.consts.success.ok, res)
