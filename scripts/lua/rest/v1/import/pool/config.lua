-- POST /lua/rest/v1/import/pool/config.lua: import a configuration
-- document (JSON, the document as a string) holding the snmp,
-- active_monitoring, notifications, scripts and pool modules
-- (rest-config-import-export.md §3.2). The whole document is checked
-- before anything changes. Administrators only (checked by the server).
local rest_utils = require "rest_utils"
local pools_utils = require "pools_utils"

if rest_utils.isempty(_POST.JSON) then
   rest_utils.answer(rest_utils.consts.err.invalid_args, { error = "missing parameter JSON" })
   return
end
pools_utils.answer(ntop.importConfig("pool", _POST.JSON))
