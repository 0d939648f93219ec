-- renew_leadership.lua: renews the leader lease if it is still exactly the caller's.
-- uses: core leader
--
-- KEYS[1]  namespace prefix P (other keys are built from it, see _core.lua)
-- ARGV[1]  now (epoch ms, "" = Redis TIME)
-- ARGV[2]  token
-- ARGV[3]  epoch
-- ARGV[4]  ttl (ms)
--
-- When P.."leader" has this token and epoch and has not lapsed (leader_is() in _leader.lua):
-- expiresAt = now + ttl, returns it as text. Otherwise returns "" and changes nothing.
-- Idempotent.

set_now(ARGV[1])
if not leader_is(ARGV[2], ARGV[3]) then return "" end
local expires = fmt(NOW + tonumber(ARGV[4]))
redis.call("HSET", P .. "leader", "expiresAt", expires)
return expires
