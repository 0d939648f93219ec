-- heartbeat.lua: extends a node's life, when its record still exists.
-- uses: core
--
-- KEYS[1]  namespace prefix P (other keys are built from it, see _core.lua)
-- ARGV[1]  now (epoch ms, "" = Redis TIME)
-- ARGV[2]  ttl (ms)
-- ARGV[3]  node id
-- ARGV[4]  busy slots
-- ARGV[5]  attempts completed since the node started ("" = unchanged)
-- ARGV[6]  attempts failed since the node started ("" = unchanged)
--
-- Sets heartbeatAt = now, expiresAt = now + ttl, busy in P.."node:"..id and the expiry in
-- P.."nodes". Returns 1, or 0 when the record is gone (deregistered or reaped: nothing written).
-- Idempotent.

set_now(ARGV[1])
local id = ARGV[3]
local key = P .. "node:" .. id
if redis.call("EXISTS", key) == 0 then return 0 end
local expires = fmt(NOW + tonumber(ARGV[2]))
redis.call("HSET", key, "heartbeatAt", NOW_S, "expiresAt", expires, "busy", ARGV[4])
if ARGV[5] and ARGV[5] ~= "" then redis.call("HSET", key, "completed", ARGV[5]) end
if ARGV[6] and ARGV[6] ~= "" then redis.call("HSET", key, "failed", ARGV[6]) end
redis.call("ZADD", P .. "nodes", expires, id)
return 1
