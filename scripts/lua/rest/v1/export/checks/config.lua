-- /lua/rest/v1/export/checks/config.lua[?download=1]: the checks
-- configuration as a configuration document (module "scripts",
-- rest-config-import-export.md §3.1).
-- Administrators only (checked by the server).
require("config_utils").export("checks", _GET)
