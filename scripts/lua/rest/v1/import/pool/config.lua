-- POST /lua/rest/v1/import/pool/config.lua: import a configuration
-- document (JSON, the document as a string) holding the snmp,
-- active_monitoring, notifications, scripts and pool modules
-- (rest-config-import-export.md §3.2). The whole document is checked
-- before anything changes. Administrators only (checked by the server).
require("config_utils").import("pool", _POST)
