--
-- long_dns_query: a DNS query for a name longer than the configured
-- threshold. Very long names are how DNS tunnels smuggle data out; a
-- handful of legitimate services (anti-virus lookups, CDNs) use them too,
-- which is why this check is off until an administrator enables it:
--
--   curl -u admin:admin -d check_subdir=flow -d script_key=long_dns_query \
--        http://localhost:3000/lua/rest/v1/enable/check.lua
--
-- See docs/lua-checks.md for the metadata fields and the flow object.
--

-- Counts the labels of a name ("a.b.example.com" has 4).
local function labels(name)
   local n = 0
   for _ in string.gmatch(name, "[^.]+") do
      n = n + 1
   end
   return n
end

return {
   title = "Long DNS query",
   description = "A DNS query name is longer than the threshold (possible DNS tunnel)",
   category = "security",
   default_enabled = false,
   -- script_conf: the name length (bytes) above which the alert is raised
   default_value = { operator = "gt", threshold = 100 },
   input_builder = "threshold_cross",

   hooks = {
      -- Once per flow, when nDPI has classified it.
      protocolDetected = function(flow, conf)
         local dns = flow.dns()
         if dns == nil then
            return
         end
         local name = dns["protos.dns.last_query"]
         local threshold = tonumber(conf.threshold) or 100
         if name ~= nil and #name > threshold then
            flow.triggerAlert(60, string.format("DNS query for a %d-byte name with %d labels: %s",
                                                #name, labels(name), name:sub(1, 80)))
         end
      end,
   },
}
