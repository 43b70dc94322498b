-- /lua/rest/v1/get/checks/config.lua[?download=1]: the checks
-- configuration {"0": set, "alert_exclusions": …} (rest-alerts-checks.md
-- §4.3); with download, the bare object as scripts_configuration.json.
-- Administrators only (checked by the server).
local rest_utils = require "rest_utils"

if not rest_utils.isempty(_GET.download) then
   ntop.setContentType("application/json; charset=utf-8", 'attachment; filename="scripts_configuration.json"')
   print(ntop.getChecksConfig(true))
   return
end
rest_utils.answer(rest_utils.consts.success.ok, ntop.getChecksConfig())
