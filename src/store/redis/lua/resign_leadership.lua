-- resign_leadership.lua: gives the leader lease up if it is still the caller's.
-- uses: core
--
-- KEYS[1]  namespace prefix P (other keys are built from it, see _core.lua)
-- ARGV[1]  token
--
-- Deletes P.."leader" when its token is ARGV[1] (the epoch counter stays). Returns 1 when
-- deleted, else 0.
-- Idempotent: a second call finds the lease gone (or someone else's) and changes nothing.

local key = P .. "leader"
if redis.call("HGET", key, "token") ~= ARGV[1] then return 0 end
redis.call("DEL", key)
return 1
