-- pools_utils: the shared logic of the pool endpoints (rest-pools.md).
-- Host pools (kind "host") and the legacy local-network pools (kind
-- "local_network") take the same parameters and answer the same codes.
-- Changes read their parameters from the request body (_POST; a JSON body
-- fills _GET too), so that a plain GET never changes anything. Endpoints
-- pass their _GET / _POST tables: modules do not see a run's globals.
local rest_utils = require "rest_utils"

local pools_utils = {}

local function missing(name)
   rest_utils.answer(rest_utils.consts.err.invalid_args, { error = "missing parameter " .. name })
end

-- required returns the listed parameters of p, or answers
-- INVALID_ARGUMENTS naming the first missing one and returns nil.
-- pool_members may be empty ("" = no members).
function pools_utils.required(p, names)
   for _, k in ipairs(names) do
      local v = p[k]
      if v == nil or (k ~= "pool_members" and rest_utils.isempty(v)) then
         missing(k)
         return nil
      end
   end
   return p
end

-- add: add/<kind>/pool (§2.1).
function pools_utils.add(kind, post)
   local p = pools_utils.required(post, { "pool_name", "pool_members" })
   if p == nil then return end
   rest_utils.answer_rc(ntop.addPool(kind, p.pool_name, p.pool_members, p.recipients))
end

-- edit: edit/<kind>/pool (§2.2); members are replaced, recipients only
-- when the parameter is present.
function pools_utils.edit(kind, post)
   local p = pools_utils.required(post, { "pool", "pool_name", "pool_members" })
   if p == nil then return end
   rest_utils.answer_rc(ntop.editPool(kind, tonumber(p.pool), p.pool_name, p.pool_members, p.recipients))
end

-- delete: delete/<kind>/pool (§2.3).
function pools_utils.delete(kind, post)
   local p = pools_utils.required(post, { "pool" })
   if p == nil then return end
   rest_utils.answer_rc(ntop.deletePool(kind, tonumber(p.pool)))
end

-- get: get/<kind>/pools (§2.4): every pool, or {[N] = pool} for pool=N
-- (serialized by the rules of rest-conventions.md §2.2, as ntopng does).
function pools_utils.get(kind, get)
   local id = get.pool
   if rest_utils.isempty(id) then
      rest_utils.answer(rest_utils.consts.success.ok, ntop.getPools(kind))
      return
   end
   local pool = ntop.getPools(kind, tonumber(id))
   if pool == nil then
      rest_utils.answer(rest_utils.code("POOL_NOT_FOUND"))
      return
   end
   rest_utils.answer(rest_utils.consts.success.ok, { [tonumber(id)] = pool })
end

-- by_recipient: get/recipient/pools (§5.4).
function pools_utils.by_recipient(get)
   if rest_utils.isempty(get.recipient_id) then
      missing("recipient_id")
      return
   end
   rest_utils.answer(rest_utils.consts.success.ok, ntop.getPoolsByRecipient(tonumber(get.recipient_id)))
end

return pools_utils
