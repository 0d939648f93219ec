-- fire_schedule.lua: leader only. Enqueues the ticks of one round of a schedule and moves its
-- next fire time, atomically.
-- uses: core observe limits leases jobs unique deps enqueue leader schedules
--
-- KEYS[1]  namespace prefix P (other keys are built from it, see _core.lua)
-- ARGV[1]  now (epoch ms, "" = Redis TIME)
-- ARGV[2]  store options (see read_opts() in _jobs.lua)
-- ARGV[3]  leader token
-- ARGV[4]  leader epoch
-- ARGV[5]  schedule name
-- ARGV[6]  the revision (field rv) the leader read
-- ARGV[7]  its next fire time after this round (epoch ms)
-- ARGV[8..] the tick jobs, as enqueue.lua takes them (see _enqueue.lua): id
--           cron:<name>:<tick>, runAt the tick (so each has its extras)
--
-- Returns { status, created, refusedBy }: 5 NOT_LEADER unless (token, epoch) is the current,
-- unlapsed lease (leader_is() in _leader.lua); 1 NOT_FOUND without the schedule; 3 WRONG_STATE
-- when it is paused or its rv is another; nothing changes then. Else 0 OK: the ticks go through
-- enqueue_items (a tick stored already stores nothing: ids are deterministic), each new job's
-- runAt (field r) is its tick even when that is past; a unique key that refuses the call makes
-- no job (refusedBy: the holder) and the round counts all the same: nx = ARGV[7], lf = the
-- latest tick, P.."cron-due" score = nx, rv raised. created: new jobs.
-- Replay-safe: the same round delivered twice is refused (3) the second time, its rv being
-- stale; a tick stored already stores nothing.

set_now(ARGV[1])
local keep = read_opts(ARGV[2])
if not leader_is(ARGV[3], ARGV[4]) then return { 5, 0, "" } end
local name = ARGV[5]
local key = schedule_key(name)
local j = redis.call("HMGET", key, "rv", "ps", "lf")
if not j[1] then return { 1, 0, "" } end
if j[2] == "1" or j[1] ~= ARGV[6] then return { 3, 0, "" } end
local created, refused = 0, ""
local latest = tonumber(j[3] or "")
if #ARGV >= 8 then
  local starts = check_enqueue_items(8)
  local reply, plans = enqueue_items(starts, 1, #starts, keep)
  if plans then
    for k, plan in pairs(plans) do
      local i = starts[k + 1]
      if plan == "create" then
        created = created + 1
        local tick = extras(i)
        if tonumber(tick) <= NOW then redis.call("HSET", job_key(ARGV[i]), "r", tick) end
      end
    end
  else
    refused = reply[5] or ""
  end
  for _, i in ipairs(starts) do
    local tick = tonumber((extras(i)))
    if latest == nil or tick > latest then latest = tick end
  end
end
redis.call("HSET", key, "nx", ARGV[7])
redis.call("HINCRBY", key, "rv", 1)
if latest ~= nil then redis.call("HSET", key, "lf", fmt(latest)) end
redis.call("ZADD", P .. "cron-due", ARGV[7], name)
flush()
return { 0, created, refused }
