-- rest_utils: return codes and the answer helper of REST endpoints.
-- The code table itself lives in Go (one source of truth); this module
-- exposes it the way ntopng scripts use it:
--   rest_utils.answer(rest_utils.consts.success.ok, rsp)
--   rest_utils.answer(rest_utils.consts.err.invalid_interface)
local rest_utils = { consts = { success = {}, err = {} } }
local by_str = {}

for _, c in ipairs(ntop.getRestCodes()) do
   local entry = { http_code = c.http_code, rc = c.rc, str = c.str }
   by_str[c.str] = entry
   if c.rc == 0 then
      rest_utils.consts.success[c.key] = entry
   else
      rest_utils.consts.err[c.key] = entry
   end
end

-- answer sends the envelope {rc, rc_str, rc_str_hr, rsp} with the code's
-- HTTP status. A nil payload becomes an empty table, serialized as [].
function rest_utils.answer(ret_const, payload)
   ntop.sendRestAnswer(ret_const.str, payload or {})
end

-- code returns the return code named str (e.g. "PASSWORD_MISMATCH").
function rest_utils.code(str)
   return by_str[str] or rest_utils.consts.err.internal_error
end

-- answer_rc answers the (rc_str, rsp) pair that changing bindings return
-- (e.g. ntop.addPool, ntop.setChecksConfig).
function rest_utils.answer_rc(code, rsp)
   rest_utils.answer(rest_utils.code(code), rsp)
end

-- isempty: ntopng treats "" and a single space like a missing parameter.
function rest_utils.isempty(s)
   return s == nil or s == "" or s == " "
end

-- select_interface selects the interface named by an ifid parameter. When
-- the parameter is missing or names no interface it answers
-- INVALID_INTERFACE and returns false (rest-conventions.md §3.4).
function rest_utils.select_interface(ifid)
   if rest_utils.isempty(ifid) or not interface.select(ifid) then
      rest_utils.answer(rest_utils.consts.err.invalid_interface)
      return false
   end
   return true
end

-- host_info selects the interface and reads the record of the host named
-- by params.host / params.vlan. On failure it answers (INVALID_INTERFACE or
-- NOT_FOUND) and returns nil.
function rest_utils.host_info(params)
   if not rest_utils.select_interface(params["ifid"]) then return nil end
   local info
   if not rest_utils.isempty(params["host"]) then
      info = interface.getHostInfo(params["host"], params["vlan"])
   end
   if info == nil then rest_utils.answer(rest_utils.consts.err.not_found) end
   return info
end

return rest_utils
