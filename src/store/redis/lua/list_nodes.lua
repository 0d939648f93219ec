-- list_nodes.lua: every recorded node, dead ones not yet reaped included.
-- uses: core
--
-- KEYS[1]  namespace prefix P (other keys are built from it, see _core.lua)
--
-- Returns a flat array, 3 entries per node of P.."nodes" (in expiry order): id, its
-- P.."node:"..id hash as a flat HGETALL array, its prefetched count (0 when none).
-- Read-only.

local out = {}
for _, id in ipairs(redis.call("ZRANGE", P .. "nodes", 0, -1)) do
  out[#out + 1] = id
  out[#out + 1] = redis.call("HGETALL", P .. "node:" .. id)
  out[#out + 1] = -tonumber(redis.call("ZSCORE", P .. "prefetched", id) or "0")
end
return out
