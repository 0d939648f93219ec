-- set_paused.lua: pauses or resumes dispatch from a queue (registers the queue).
-- uses: core
--
-- KEYS[1]  namespace prefix P (queue keys are built from it, see _core.lua)
-- ARGV[1]  queue name
-- ARGV[2]  "1" to pause, "0" to resume (resuming publishes P.."wake:"..queue)
--
-- Returns 0.
-- Idempotent.

local q = ARGV[1]
register_queue(q)
redis.call("HSET", qkey(q, "meta"), "paused", ARGV[2])
if ARGV[2] == "0" then wake(q) end
flush()
return 0
