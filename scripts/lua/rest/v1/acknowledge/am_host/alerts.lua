-- /lua/rest/v{1,2}/acknowledge/am_host/alerts.lua: acknowledges the stored
-- am_host alerts matching the filters, with label (rest-alerts-checks.md §3.5).
require("alert_utils").acknowledge("am_host", _GET)
