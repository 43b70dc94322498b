-- /lua/rest/v{1,2}/acknowledge/user/alerts.lua: acknowledges the stored
-- user alerts matching the filters, with label (rest-alerts-checks.md §3.5).
require("alert_utils").acknowledge("user", _GET)
