-- /lua/rest/v1/export/scripts/config.lua[?download=1]: the checks
-- configuration as a configuration document (module "scripts",
-- rest-config-import-export.md §3.1; the public v1 spec's name of export/checks/config).
-- Administrators only (checked by the server).
require("config_utils").export("scripts", _GET)
