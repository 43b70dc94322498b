-- POST /lua/rest/v1/import/checks/config.lua: replace the checks
-- configuration with the "scripts" module of a configuration document
-- (JSON; rest-config-import-export.md §3.2, §4.4). Administrators only (checked by the server).
require("config_utils").import("checks", _POST)
