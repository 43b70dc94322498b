-- host_labels: the label() rules of rest-dataplane.md A.4.3 shared by the
-- host and flow endpoints.
local host_labels = {}

local ELLIPSIS = "\226\128\166" -- U+2026

-- shorten cuts a label longer than 24 bytes to 24 bytes + "…" (REF-v1).
function host_labels.shorten(label, ip)
   if label ~= ip and #label > 24 then
      return string.sub(label, 1, 24) .. ELLIPSIS
   end
   return label
end

-- label(ip, explicit, cname): the explicit label carried by the record,
-- else the user alias of the IP, else the host's C name, else the resolved
-- name from the address cache, else the IP.
function host_labels.label(ip, explicit, cname)
   if explicit and explicit ~= "" then return explicit end
   local alias = ntop.getHostAlias(ip)
   if alias and alias ~= "" then return alias end
   if cname and cname ~= "" then return cname end
   local resolved = interface.getHostResolvedName(ip)
   if resolved and resolved ~= "" then return string.lower(resolved) end
   return ip
end

-- jquery_key makes the jQuery-safe key of a host key (A.3).
function host_labels.jquery_key(key)
   return (key:gsub("%.", "__"):gsub("/", "___"):gsub(":", "____"))
end

return host_labels
