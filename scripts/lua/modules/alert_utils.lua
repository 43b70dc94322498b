-- alert_utils: the alert endpoints (rest-alerts-checks.md §2–§3). The
-- bindings do the work (lua/bindings_alertlist.go): parsing, filters,
-- allowed networks, paging and records; these helpers send what they
-- return, so that every endpoint script is one line. params is the
-- script's _GET (modules do not see the request's globals).
local rest_utils = require "rest_utils"

local alert_utils = {}

-- answer sends an (rc_str, rsp [, extra]) answer of the bindings: the
-- members of extra go to the envelope (recordsFiltered, ...), a string rsp
-- is the text mode (format=txt/csv) and is sent as CSV.
function alert_utils.answer(rc, rsp, extra)
   if rc == "OK" and type(rsp) == "string" then
      ntop.setContentType("text/csv")
      print(rsp)
   elseif extra then
      ntop.sendExtendedRestAnswer(rc, rsp, extra)
   else
      rest_utils.answer_rc(rc, rsp)
   end
end

-- list answers get/<family>/alert/list.
function alert_utils.list(family, params)
   alert_utils.answer(ntop.listAlerts(family, params))
end

-- ts answers get/<family>/alert/ts.
function alert_utils.ts(family, params)
   alert_utils.answer(ntop.getAlertSeries(family, params))
end

-- acknowledge answers acknowledge/<family>/alerts.
function alert_utils.acknowledge(family, params)
   alert_utils.answer(ntop.acknowledgeAlerts(family, params))
end

-- delete answers delete/<family>/alerts.
function alert_utils.delete(family, params)
   alert_utils.answer(ntop.deleteAlerts(family, params))
end

-- counters answers get/alert/{type,severity}/counters.
function alert_utils.counters(kind, params)
   alert_utils.answer(ntop.getAlertCounters(kind, params))
end

return alert_utils
