-- pause_schedule.lua: pauses or resumes a schedule.
-- uses: core schedules
--
-- KEYS[1]  namespace prefix P (other keys are built from it, see _core.lua)
-- ARGV[1]  schedule name
-- ARGV[2]  "1" to pause, "0" to resume
--
-- Pausing takes it out of P.."cron-due"; resuming clears nx and puts it back with score 0 (the
-- leader computes its next fire time from now: ticks that fell while it was paused never fire).
-- A change raises rv and publishes P.."cron-wake". Returns 0 OK (also when it was in that state
-- already: nothing changes), or 1 NOT_FOUND. Idempotent.

local name = ARGV[1]
local key = schedule_key(name)
local j = redis.call("HMGET", key, "rv", "ps")
if not j[1] then return 1 end
local paused = j[2] == "1"
if ARGV[2] == "1" and not paused then
  redis.call("HSET", key, "ps", "1")
  redis.call("ZREM", P .. "cron-due", name)
elseif ARGV[2] == "0" and paused then
  redis.call("HDEL", key, "ps", "nx")
  redis.call("ZADD", P .. "cron-due", 0, name)
else
  return 0
end
redis.call("HINCRBY", key, "rv", 1)
schedules_changed()
return 0
