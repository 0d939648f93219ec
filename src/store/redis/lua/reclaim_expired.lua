-- reclaim_expired.lua: handles active jobs whose lease deadline is <= now, in (deadline, id)
-- order, at most `limit`: O(expired leases), from the namespace's lease index.
-- uses: core observe limits leases jobs unique deps
--
-- KEYS[1]  namespace prefix P (other keys are built from it, see _core.lua)
-- ARGV[1]  now (epoch ms, "" = Redis TIME)
-- ARGV[2]  store options (see read_opts() in _jobs.lua)
-- ARGV[3]  limit
-- ARGV[4..6]  the stalled-error JSON in three parts:
--             ARGV[4]..attempts..ARGV[5]..maxAttempts..ARGV[6]
--
-- Each job goes through stall() in _jobs.lua (shared with reap_dead_nodes.lua).
-- Returns { requeued ids, dead ids (cancelled ones included) }. Safe to run twice: a job
-- reclaimed once is no longer leased.

set_now(ARGV[1])
local keep = read_opts(ARGV[2])
local err = { ARGV[4], ARGV[5], ARGV[6] }
local requeued, dead = {}, {}
local ids = redis.call("ZRANGEBYSCORE", P .. "leases", "-inf", NOW_S, "LIMIT", 0, tonumber(ARGV[3]))
for _, id in ipairs(ids) do
  if stall(id, keep, err) then
    requeued[#requeued + 1] = id
  else
    dead[#dead + 1] = id
  end
end
flush()
return { requeued, dead }
