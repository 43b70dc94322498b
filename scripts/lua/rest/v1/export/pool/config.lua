-- /lua/rest/v1/export/pool/config.lua[?download=1]: the configuration
-- document of the pool endpoint (rest-config-import-export.md §3.1):
-- modules snmp, active_monitoring, notifications, scripts and pool. With
-- download, the bare document as an attachment. Administrators only
-- (checked by the server).
require("config_utils").export("pool", _GET)
