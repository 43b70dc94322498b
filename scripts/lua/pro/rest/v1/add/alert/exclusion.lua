-- POST /lua/pro/rest/v1/add/alert/exclusion.lua: stop raising one alert
-- type for a host or a network (ntopng's alert exclusion lists).
-- Body: alert_addr (ip, ip@vlan or CIDR), subdir (flow or host) and
-- flow_alert_key or host_alert_key (the alert type). Administrators only
-- (checked by the server). The exclusion is stored with the checks
-- configuration (its alert_exclusions part) and applies at once.
local rest_utils = require "rest_utils"

local subdir = _POST.subdir or _GET.subdir
local addr = _POST.alert_addr or _GET.alert_addr
local key = _POST.flow_alert_key or _GET.flow_alert_key
if subdir == "host" then
   key = _POST.host_alert_key or _GET.host_alert_key
end
if rest_utils.isempty(addr) or rest_utils.isempty(key) or (subdir ~= "flow" and subdir ~= "host") then
   rest_utils.answer(rest_utils.consts.err.invalid_args,
      { error = "alert_addr, subdir (flow or host) and flow_alert_key or host_alert_key are required" })
   return
end
rest_utils.answer_rc(ntop.addAlertExclusion(addr, subdir, tonumber(key)))
