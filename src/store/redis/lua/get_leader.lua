-- get_leader.lua: the current live leader.
-- uses: core
--
-- KEYS[1]  namespace prefix P (other keys are built from it, see _core.lua)
-- ARGV[1]  now (epoch ms, "" = Redis TIME)
--
-- Returns { node, epoch, expiresAt } of P.."leader" when its expiresAt > now, else {}.
-- Read-only.

set_now(ARGV[1])
local l = redis.call("HMGET", P .. "leader", "node", "epoch", "expiresAt")
if not l[1] or not l[3] or tonumber(l[3]) <= NOW then return {} end
return l
