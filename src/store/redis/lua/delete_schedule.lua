-- delete_schedule.lua: deletes a schedule (the jobs it enqueued stay).
-- uses: core schedules
--
-- KEYS[1]  namespace prefix P (other keys are built from it, see _core.lua)
-- ARGV[1]  schedule name
--
-- Returns 1 when it existed (and publishes P.."cron-wake"), else 0. Idempotent.

local name = ARGV[1]
if redis.call("DEL", schedule_key(name)) == 0 then return 0 end
redis.call("ZREM", P .. "crons", name)
redis.call("ZREM", P .. "cron-due", name)
schedules_changed()
return 1
