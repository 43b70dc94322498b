-- GET /lua/rest/v1/get/flow/active.lua: one page of active flows (D.1).
local rest_utils = require "rest_utils"
local host_labels = require "host_labels"

if not rest_utils.select_interface(_GET["ifid"]) then return end

local currentPage = tonumber(_GET["currentPage"]) or 1
local perPage = tonumber(_GET["perPage"]) or 10
local sortColumn = _GET["sortColumn"]
if rest_utils.isempty(sortColumn) then sortColumn = "" end
sortColumn = "column_" .. sortColumn
local sortOrder = _GET["sortOrder"]
if rest_utils.isempty(sortOrder) then sortOrder = "desc" end
local l4proto = tonumber(_GET["l4proto"]) -- names pass validation but do not filter

local res = interface.getFlowsInfo({
   host = _GET["host"], vlan = _GET["vlan"], l4proto = l4proto,
   talking_with = _GET["talking_with"], client = _GET["client"], server = _GET["server"],
   tcp_flow_state = _GET["tcp_flow_state"], dscp = _GET["dscp"], alert_type = _GET["alert_type"],
   host_pool_id = _GET["host_pool_id"],
   application = _GET["application"], category = _GET["category"], port = _GET["port"],
   network = _GET["network"], version = _GET["version"],
   flowhosts_type = _GET["flowhosts_type"], traffic_type = _GET["traffic_type"],
   sortColumn = sortColumn, sortOrder = sortOrder,
   currentPage = currentPage, perPage = perPage,
})
if res == nil then
   rest_utils.answer(rest_utils.consts.err.not_found)
   return
end

-- Display name of a flow peer (D.1): the C name (IP fallback), shortened.
local function peer_name(ip, h, vlan)
   local cname = h and h.name or ""
   local name = host_labels.shorten(host_labels.label(ip, cname), ip)
   if vlan ~= 0 then
      local base = string.match(name, "^(.*)@%d+$")
      if base and ntop.isIPAddress(base) then name = base end
   end
   return name
end

local function has_alnum(s) return s and string.find(s, "%w") ~= nil end

local verbose = (_GET["verbose"] == "true")
local data = {}
for _, f in ipairs(res.flows) do
   local cli, srv = f["cli.host"], f["srv.host"]
   local client = { ip = f["cli.ip"], port = f["cli.port"], name = peer_name(f["cli.ip"], cli, f.vlan) }
   local sname = f.server_name
   if sname then sname = string.gsub(sname, ":%d+$", "") end
   local server = { ip = f["srv.ip"], port = f["srv.port"] }
   if has_alnum(sname) and not ntop.isIPAddress(sname) then
      server.name = sname
   else
      server.name = peer_name(f["srv.ip"], srv, f.vlan)
   end
   if cli then
      client.is_broadcast_domain = cli.broadcast_domain_host
      client.is_dhcp = cli.dhcpHost
      client.is_blacklisted = cli.is_blacklisted
      -- the reference reports the client's flags on the server object
      server.is_broadcast = cli.broadcast_domain_host
      server.is_dhcp = cli.dhcpHost
      server.is_blacklisted = cli.is_blacklisted
   end
   local bytes = f.bytes
   local cli2srv = 0
   if bytes > 0 then cli2srv = tonumber(string.format("%.0f", f["cli2srv.bytes"] * 100 / bytes)) end
   local rec = {
      key = f.key, hash_id = f.hash_id,
      first_seen = f.first_seen, last_seen = f.last_seen,
      duration = f.last_seen - f.first_seen,
      vlan = f.vlan, client = client, server = server,
      protocol = { l4 = f["proto.l4"], l7 = f["proto.ndpi"] },
      bytes = bytes,
      thpt = { pps = f.throughput_pps, bps = f.throughput_bps * 8 },
      breakdown = { cli2srv = cli2srv, srv2cli = 100 - cli2srv },
      score = tostring(f.score),
   }
   if verbose then
      rec.packets = f.packets
      local tcp = { nw_latency = {}, retransmissions = {}, out_of_order = {}, lost = {} }
      if f["proto.l4"] == "TCP" then
         tcp.appl_latency = f["tcp.appl_latency"]
         tcp.nw_latency = { cli = f["tcp.nw_latency.client"], srv = f["tcp.nw_latency.server"] }
         tcp.retransmissions = { cli2srv = f["cli2srv.retransmissions"], srv2cli = f["srv2cli.retransmissions"] }
         tcp.out_of_order = { cli2srv = f["cli2srv.out_of_order"], srv2cli = f["srv2cli.out_of_order"] }
         tcp.lost = { cli2srv = f["cli2srv.lost"], srv2cli = f["srv2cli.lost"] }
      end
      rec.tcp = tcp
      -- Classification details (ntopng-go): confidence, risks and the
      -- protocol metadata the classifier extracted.
      rec.confidence = f["proto.confidence"]
      rec.flow_risk = f.flow_risk or {}
      local function pick(prefix)
         local o, any = {}, false
         for k, v in pairs(f) do
            if string.sub(k, 1, #prefix) == prefix then
               o[string.sub(k, #prefix + 1)] = v
               any = true
            end
         end
         if any then return o end
      end
      rec.http = pick("protos.http.")
      rec.tls = pick("protos.tls.")
      if f["protos.tls_version"] then
         rec.tls = rec.tls or {}
         rec.tls.version = f["protos.tls_version"]
      end
      rec.ssh = pick("protos.ssh.")
   end
   data[#data + 1] = rec
end

rest_utils.answer(rest_utils.consts.success.ok, {
   perPage = perPage, currentPage = currentPage, totalRows = res.numFlows,
   data = data, sort = { { sortColumn, sortOrder } },
})
