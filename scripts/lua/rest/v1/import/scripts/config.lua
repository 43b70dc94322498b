-- POST /lua/rest/v1/import/scripts/config.lua: replace the checks
-- configuration with the "scripts" module of a configuration document
-- (JSON; rest-config-import-export.md §3.2, §4.4; the public v1 spec's
-- name of import/checks/config). Administrators only (checked by the server).
require("config_utils").import("scripts", _POST)
