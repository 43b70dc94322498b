-- GET /lua/rest/v1/get/host/data.lua: the complete record of one host (C.3).
local rest_utils = require "rest_utils"

if not rest_utils.select_interface(_GET["ifid"]) then return end
local host, vlan = _GET["host"], _GET["vlan"]
if rest_utils.isempty(host) then
   rest_utils.answer(rest_utils.consts.err.invalid_args)
   return
end

local info = interface.getHostInfo(host, vlan)
if info == nil then
   rest_utils.answer(rest_utils.consts.err.not_found)
   return
end

local host_stats = _GET["host_stats"]
if host_stats ~= nil and host_stats ~= "" and host_stats ~= "true" and host_stats ~= "1" then
   info = {}
end

if not rest_utils.isempty(_GET["host_stats_flows"]) then
   local limit = tonumber(_GET["limit"]) or 99999
   local res = interface.getFlowsInfo({ host = host, vlan = vlan, sortColumn = "column_bytes",
      sortOrder = "desc", perPage = limit, currentPage = 1 }) or { flows = {} }
   local flows, tput = {}, {}
   for _, f in ipairs(res.flows) do
      local e = {
         ["srv.ip"] = f["srv.ip"], ["cli.ip"] = f["cli.ip"],
         ["srv.port"] = f["srv.port"], ["cli.port"] = f["cli.port"],
         ["proto.ndpi_id"] = f["proto.app_id"] ~= 0 and f["proto.app_id"] or f["proto.master_id"],
         ["proto.ndpi"] = f["proto.ndpi"], bytes = f.bytes,
         -- per-direction rates are not exported by the engine: always 0,
         -- as in the reference (spec C.3.10)
         ["cli2srv.throughput_bps"] = 0, ["srv2cli.throughput_bps"] = 0,
         ["cli2srv.throughput_pps"] = 0, ["srv2cli.throughput_pps"] = 0,
      }
      flows[#flows + 1] = e
      tput[f["proto.ndpi"]] = {
         cli2srv = { throughput_bps = 0, throughput_pps = 0 },
         srv2cli = { throughput_bps = 0, throughput_pps = 0 },
      }
   end
   info.flows = flows
   info.flows_count = 0
   info.ndpiThroughputStats = tput
end

rest_utils.answer(rest_utils.consts.success.ok, info)
