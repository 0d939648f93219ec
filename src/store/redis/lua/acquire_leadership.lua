-- acquire_leadership.lua: takes the leader lease when nobody holds it or it lapsed.
-- uses: core
--
-- KEYS[1]  namespace prefix P (other keys are built from it, see _core.lua)
-- ARGV[1]  now (epoch ms, "" = Redis TIME)
-- ARGV[2]  node id
-- ARGV[3]  ttl (ms)
-- ARGV[4]  token (random, chosen by the caller)
--
-- When P.."leader" is absent or its expiresAt <= now: epoch = INCR P.."leader:epoch", and
-- P.."leader" = { node, token, epoch, expiresAt = now + ttl }. Returns { epoch, expiresAt }, or
-- { 0, "" } when another live lease exists (the same node's included: it must renew instead).
-- Replay-safe: when the live lease already has this call's token (the call was delivered
-- twice), returns that lease again.

set_now(ARGV[1])
local key = P .. "leader"
local l = redis.call("HMGET", key, "token", "epoch", "expiresAt")
if l[3] and tonumber(l[3]) > NOW then
  if l[1] == ARGV[4] then return { tonumber(l[2]), l[3] } end
  return { 0, "" }
end
local epoch = redis.call("INCR", P .. "leader:epoch")
local expires = fmt(NOW + tonumber(ARGV[3]))
redis.call("HSET", key, "node", ARGV[2], "token", ARGV[4], "epoch", epoch, "expiresAt", expires)
return { epoch, expires }
