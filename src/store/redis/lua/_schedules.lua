-- _schedules.lua: cron schedules (needs _core.lua). Key layout (see src/store/redis/keys.ts):
--   P.."cron:"..name  hash  one schedule (fields below)
--   P.."crons"        zset  every schedule name, all scores 0 (names in byte order)
--   P.."cron-due"     zset  unpaused schedules, score = next fire time (0: not known yet)
--   P.."cron-wake"    channel  published when a schedule is set, deleted, paused or resumed
-- Fields (src/store/redis/schedule_record.ts): p pattern, z time zone, c catch-up policy, n
-- function, q queue, l lane index, d payload, m maxAttempts, bo backoff, uk unique key, us
-- unique scope, uc unique conflict, lk limit key, ps "1" while paused, nx next fire time (absent: not known),
-- lf lastFiredAt, rv revision. Mirrors src/store/memory/schedules.ts.

-- The definition fields, in the order set_schedule.lua takes them.
-- @load
local SCHEDULE_FIELDS = { "p", "z", "c", "n", "q", "l", "d", "m", "bo", "uk", "us", "uc", "lk" }

local function schedule_key(name)
  return P .. "cron:" .. name
end

-- Tells waiting leaders that schedules changed.
local function schedules_changed()
  redis.call("PUBLISH", P .. "cron-wake", "1")
end
