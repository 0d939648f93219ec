-- register_node.lua: records a worker node (or refreshes its record), alive until now + ttl.
-- uses: core
--
-- KEYS[1]  namespace prefix P (other keys are built from it, see _core.lua)
-- ARGV[1]  now (epoch ms, "" = Redis TIME)
-- ARGV[2]  ttl (ms)
-- ARGV[3..9]  id, host, pid, queues (JSON array), concurrency, version, startedAt
--
-- Writes P.."node:"..id (heartbeatAt = now, expiresAt = now + ttl, busy = 0) and its expiry in
-- P.."nodes". Returns 1.
-- Idempotent (an upsert).

set_now(ARGV[1])
local expires = fmt(NOW + tonumber(ARGV[2]))
local id = ARGV[3]
redis.call("HSET", P .. "node:" .. id, "host", ARGV[4], "pid", ARGV[5], "queues", ARGV[6],
  "concurrency", ARGV[7], "version", ARGV[8], "startedAt", ARGV[9], "heartbeatAt", NOW_S,
  "expiresAt", expires, "busy", "0", "completed", "0", "failed", "0")
redis.call("ZADD", P .. "nodes", expires, id)
return 1
