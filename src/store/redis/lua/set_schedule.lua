-- set_schedule.lua: stores a schedule's definition, keeping its run-time state.
-- uses: core schedules
--
-- KEYS[1]  namespace prefix P (other keys are built from it, see _core.lua)
-- ARGV[1]  schedule name
-- ARGV[2..14]  the definition fields in SCHEDULE_FIELDS order (_schedules.lua): pattern, zone,
--              catch-up policy, function, queue, lane index, payload, maxAttempts, backoff,
--              unique key, unique scope, unique conflict, limit key ("" = none for the last
--              five)
--
-- A new schedule is active with its next fire time unknown (P.."cron-due" score 0: the leader
-- computes it). An existing one keeps paused, lf and rv's history; a new pattern or zone clears
-- nx (unpaused: score 0 again). Every change raises rv and publishes P.."cron-wake".
-- Returns "created", "updated" or "unchanged" (a definition equal to the stored one: nothing
-- is written). Idempotent.

local name = ARGV[1]
local key = schedule_key(name)
local old = redis.call("HMGET", key, "rv", "ps", unpack(SCHEDULE_FIELDS))
if old[1] then
  local same = true
  for i = 1, #SCHEDULE_FIELDS do
    if (old[i + 2] or "") ~= ARGV[i + 1] then
      same = false
      break
    end
  end
  if same then return "unchanged" end
end
local set, unset = {}, {}
for i, field in ipairs(SCHEDULE_FIELDS) do
  if ARGV[i + 1] == "" then
    unset[#unset + 1] = field
  else
    set[#set + 1] = field
    set[#set + 1] = ARGV[i + 1]
  end
end
redis.call("HSET", key, unpack(set))
if #unset > 0 then redis.call("HDEL", key, unpack(unset)) end
redis.call("HINCRBY", key, "rv", 1)
if not old[1] or old[3] ~= ARGV[2] or old[4] ~= ARGV[3] then
  redis.call("HDEL", key, "nx")
  if old[2] ~= "1" then redis.call("ZADD", P .. "cron-due", 0, name) end
end
redis.call("ZADD", P .. "crons", 0, name)
schedules_changed()
return old[1] and "updated" or "created"
