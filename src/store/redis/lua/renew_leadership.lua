-- renew_leadership.lua: renews the leader lease if it is still exactly the caller's.
--
-- KEYS[1]  namespace prefix P (other keys are built from it, see _lib.lua)
-- ARGV[1]  now (epoch ms)
-- ARGV[2]  token
-- ARGV[3]  epoch
-- ARGV[4]  ttl (ms)
--
-- When P.."leader" has this token and epoch and has not lapsed (leader_is() in _lib.lua):
-- expiresAt = now + ttl, returns 1. Otherwise returns 0 and changes nothing.

set_now(ARGV[1])
if not leader_is(ARGV[2], ARGV[3]) then return 0 end
redis.call("HSET", P .. "leader", "expiresAt", fmt(NOW + tonumber(ARGV[4])))
return 1
