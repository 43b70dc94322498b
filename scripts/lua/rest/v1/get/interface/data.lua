-- GET /lua/rest/v1/get/interface/data.lua: interface counters (spec B.2).
local rest_utils = require "rest_utils"

local ifid, iffilter = _GET["ifid"], _GET["iffilter"]

local function pctg(n, max)
   return math.floor(1 + n * 100 / max)
end

local function interface_data(requested_id, known)
   local s = interface.getStats()
   local r = {
      ifid = requested_id,
      ifname = known and s.name or "",
      speed = s.speed,
      periodic_stats_update_frequency_secs = s.periodic_stats_update_frequency_secs,
      packets = s.packets, bytes = s.bytes, drops = s.drops,
      throughput_bps = s.throughput_bps, throughput_pps = s.throughput_pps,
      engaged_alerts = s.engaged_alerts or 0, dropped_alerts = s.dropped_alerts or 0,
      alerted_flows = s.alerted_flows or 0,
      ts_alerts = {},
      num_flows = s.num_flows, num_hosts = s.num_hosts, num_local_hosts = s.num_local_hosts,
      num_devices = s.num_devices,
      epoch = ntop.epoch(), localtime = ntop.localtime(), uptime = ntop.formatUptime(ntop.getUptime()),
      system_host_stats = ntop.getSystemHostStats(),
      hosts_pctg = pctg(s.num_hosts, s.max_num_hosts),
      flows_pctg = pctg(s.flows_in_memory, s.max_num_flows),
      macs_pctg = pctg(s.num_macs, s.max_num_hosts),
      remote_pps = 0, remote_bps = 0,
      is_view = false,
      local2remote = s.local2remote, remote2local = s.remote2local,
      bytes_upload = s.bytes_upload, packets_upload = s.packets_upload,
      bytes_download = s.bytes_download, packets_download = s.packets_download,
      throughput = s.throughput,
      tcpPacketStats = s.tcpPacketStats,
      profiles = {},
   }
   if ntop.isAdministrator() then r.num_live_captures = 0 end
   return r
end

if iffilter == "all" then
   local rsp = {}
   for id, _ in pairs(interface.getIfNames()) do
      interface.select(tostring(id))
      rsp[tostring(id)] = interface_data(tostring(id), true)
   end
   rest_utils.answer(rest_utils.consts.success.ok, rsp)
   return
end

local requested = iffilter
if rest_utils.isempty(requested) then requested = ifid end
if rest_utils.isempty(requested) then
   rest_utils.answer(rest_utils.consts.err.invalid_interface)
   return
end

local known = interface.select(requested)
if not known then
   if rest_utils.isempty(iffilter) then
      -- an ifid naming no interface is dropped by validation
      rest_utils.answer(rest_utils.consts.err.invalid_interface)
      return
   end
   -- iffilter is only checked to be a number: the first interface answers
   interface.select("0")
end

rest_utils.answer(rest_utils.consts.success.ok, interface_data(requested, known))
