-- config_utils: the export / import endpoints of configuration documents
-- (rest-config-import-export.md §3). Endpoints pass their _GET / _POST.
local rest_utils = require "rest_utils"

local config_utils = {}

-- export answers the document of endpoint; with download (any non-empty
-- value) the bare document as the attachment configuration.json.
function config_utils.export(endpoint, get)
   if not rest_utils.isempty(get.download) then
      local text = ntop.exportConfig(endpoint, true)
      ntop.setContentType("application/json; charset=utf-8", 'attachment; filename="configuration.json"')
      print(text)
      return
   end
   local doc, failed = ntop.exportConfig(endpoint)
   if failed then
      rest_utils.answer(rest_utils.consts.err.internal_error, doc)
   else
      rest_utils.answer(rest_utils.consts.success.ok, doc)
   end
end

-- import applies the document in post.JSON to the modules of endpoint.
function config_utils.import(endpoint, post)
   if rest_utils.isempty(post.JSON) then
      rest_utils.answer(rest_utils.consts.err.invalid_args, { error = "missing parameter JSON" })
      return
   end
   rest_utils.answer_rc(ntop.importConfig(endpoint, post.JSON))
end

return config_utils
