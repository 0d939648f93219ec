-- _leader.lua: the leader lease check (needs _core.lua).

-- True when (token, epoch) is the current leader lease and it has not lapsed at NOW.
local function leader_is(token, epoch)
  local l = redis.call("HMGET", P .. "leader", "token", "epoch", "expiresAt")
  return l[1] == token and tonumber(l[2]) == tonumber(epoch) and tonumber(l[3]) > NOW
end
