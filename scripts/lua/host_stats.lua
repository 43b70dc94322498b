-- GET /lua/host_stats.lua?ifid=&host=: the bare host record (no envelope),
-- named by its label (alias first), as the GUI host page prints it
-- (rest-dataplane.md G).
local host_labels = require "host_labels"

local info
if _GET["ifid"] ~= nil and interface.select(_GET["ifid"]) and _GET["host"] ~= nil then
   info = interface.getHostInfo(_GET["host"], _GET["vlan"])
end
ntop.setContentType("text/html")
if info == nil then
   print("[]")
   return
end
info.name = host_labels.label(info.ip, nil, info.name)
print(ntop.jsonEncode(info))
