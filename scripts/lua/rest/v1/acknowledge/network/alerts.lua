-- /lua/rest/v{1,2}/acknowledge/network/alerts.lua: acknowledges the stored
-- network alerts matching the filters, with label (rest-alerts-checks.md §3.5).
require("alert_utils").acknowledge("network", _GET)
