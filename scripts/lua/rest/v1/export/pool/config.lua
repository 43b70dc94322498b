-- /lua/rest/v1/export/pool/config.lua[?download=1]: the configuration
-- document of the pool endpoint (rest-config-import-export.md §3.1):
-- modules snmp, active_monitoring, notifications, scripts and pool. With
-- download, the bare document as an attachment. Administrators only
-- (checked by the server).
local rest_utils = require "rest_utils"

if not rest_utils.isempty(_GET.download) then
   local text = ntop.exportConfig("pool", true)
   ntop.setContentType("application/json; charset=utf-8", 'attachment; filename="configuration.json"')
   print(text)
   return
end
local doc, failed = ntop.exportConfig("pool")
if failed then
   rest_utils.answer(rest_utils.consts.err.internal_error, doc)
else
   rest_utils.answer(rest_utils.consts.success.ok, doc)
end
