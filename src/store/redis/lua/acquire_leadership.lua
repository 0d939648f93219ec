-- acquire_leadership.lua: takes the leader lease when nobody holds it or it lapsed.
--
-- KEYS[1]  namespace prefix P (other keys are built from it, see _lib.lua)
-- ARGV[1]  now (epoch ms)
-- ARGV[2]  node id
-- ARGV[3]  ttl (ms)
-- ARGV[4]  token (random, chosen by the caller)
--
-- When P.."leader" is absent or its expiresAt <= now: epoch = INCR P.."leader:epoch", and
-- P.."leader" = { node, token, epoch, expiresAt = now + ttl }. Returns the epoch, or 0 when a
-- live lease exists (the same node's included: it must renew instead).

set_now(ARGV[1])
local key = P .. "leader"
local expires = redis.call("HGET", key, "expiresAt")
if expires and tonumber(expires) > NOW then return 0 end
local epoch = redis.call("INCR", P .. "leader:epoch")
redis.call("HSET", key, "node", ARGV[2], "token", ARGV[4], "epoch", epoch, "expiresAt",
  fmt(NOW + tonumber(ARGV[3])))
return epoch
