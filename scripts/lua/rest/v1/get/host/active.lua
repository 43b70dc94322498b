-- GET /lua/rest/v1/get/host/active.lua: one page of active hosts (spec C.1).
local rest_utils = require "rest_utils"
local host_labels = require "host_labels"

if not rest_utils.select_interface(_GET["ifid"]) then return end

local currentPage = tonumber(_GET["currentPage"]) or 1
local perPage = tonumber(_GET["perPage"]) or 10
local sortColumn, sortOrder = _GET["sortColumn"], _GET["sortOrder"]
if not rest_utils.isempty(sortColumn) then sortColumn = "column_" .. sortColumn else sortColumn = nil end
if rest_utils.isempty(sortOrder) then sortOrder = nil end

local mode = _GET["mode"]
local modes = { all = true, ["local"] = true, remote = true, broadcast_domain = true, filtered = true, blacklisted = true }
if not modes[mode or ""] or mode == "filtered" then mode = "all" end

local res = interface.getHostsInfo({
   currentPage = currentPage, perPage = perPage,
   sortColumn = sortColumn, sortOrder = sortOrder,
   mode = mode, version = _GET["version"], protocol = _GET["protocol"],
   traffic_type = _GET["traffic_type"], asn = _GET["asn"], vlan = _GET["vlan"],
   network = _GET["network"], pool = _GET["pool"], country = _GET["country"],
   os = _GET["os"], mac = _GET["mac"],
})

-- Second stage (Lua side): re-sort the page, descending unless asc.
local function pad(n) return string.format("0.%04d", n) end
local keyed = {}
for n, h in ipairs(res.hosts) do
   local k
   local suffix = n / 10000
   if sortColumn == "column_name" then k = h.name .. pad(n)
   elseif sortColumn == "column_since" then k = h["seen.first"] + suffix
   elseif sortColumn == "column_last" then k = h["seen.last"] + suffix
   elseif sortColumn == "column_alerts" then k = h.num_alerts + suffix
   elseif sortColumn == "column_country" then k = h.country .. pad(n)
   elseif sortColumn == "column_vlan" then k = h.vlan + suffix
   elseif sortColumn == "column_num_flows" then k = h["active_flows.as_client"] + h["active_flows.as_server"] + suffix
   elseif sortColumn == "column_num_dropped_flows" then k = suffix
   elseif sortColumn == "column_traffic" then k = h["bytes.sent"] + h["bytes.rcvd"] + suffix
   elseif sortColumn == "column_thpt" then k = h.throughput_bps + suffix
   elseif sortColumn == "column_ip" then k = h.ipkey + suffix
   else k = h.key end
   keyed[#keyed + 1] = { k = k, h = h }
end
local asc = (sortOrder == "asc")
table.sort(keyed, function(a, b)
   if type(a.k) ~= type(b.k) then return tostring(a.k) < tostring(b.k) end
   if asc then return a.k < b.k else return a.k > b.k end
end)

local data = {}
for _, e in ipairs(keyed) do
   local h = e.h
   local name = h.name
   if rest_utils.isempty(name) then
      name = host_labels.shorten(host_labels.label(h.ip), h.ip)
   end
   if rest_utils.isempty(name) then name = h.key end
   local label = host_labels.shorten(host_labels.label(h.ip, nil, h.name), h.ip)
   if label ~= h.ip and label ~= name then
      name = name .. " [" .. label .. "]"
   end
   data[#data + 1] = {
      key = host_labels.jquery_key(h.key),
      ip = h.ip, vlan = h.vlan, name = name,
      first_seen = h["seen.first"], last_seen = h["seen.last"],
      os = h.os, num_alerts = h.num_alerts, country = h.country,
      is_blacklisted = h.is_blacklisted, is_localhost = h.localhost,
      is_multicast = h.is_multicast, is_broadcast = h.is_broadcast,
      is_broadcast_domain = h.broadcast_domain_host,
      thpt = { pps = h.throughput_pps, bps = h.throughput_bps * 8 },
      bytes = { total = h["bytes.sent"] + h["bytes.rcvd"], sent = h["bytes.sent"], recvd = h["bytes.rcvd"] },
      num_flows = {
         total = h["active_flows.as_client"] + h["active_flows.as_server"],
         as_client = h["active_flows.as_client"], as_server = h["active_flows.as_server"],
      },
   }
end

local all = _GET["all"] ~= nil
rest_utils.answer(rest_utils.consts.success.ok, {
   perPage = all and 0 or perPage,
   currentPage = all and 0 or currentPage,
   data = data,
   sort = { { sortColumn, sortOrder } },
})
