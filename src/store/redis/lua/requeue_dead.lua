-- requeue_dead.lua: requeues the dead jobs of a queue matching a filter.
--
-- KEYS[1]  namespace prefix P (other keys are built from it, see _lib.lua)
-- ARGV     the dead-letter filter (see _dead_letters.lua)
--
-- Each match: out of the dead index; attempts, stalls and releases 0; finishedAt, token and
-- cancelRequested cleared; runAt now; waiting at the end of its lane (a new seq); history and
-- error kept. Publishes P.."wake:"..queue when any job moved.
-- Returns { next cursor ("" when done), requeued id, ... }.

local out = { "" }
out[1] = scan_dead(function(id, li)
  later("ZREM", D_KEY, id)
  count(DQ, "dead", li, -1)
  redis.call("HDEL", job_key(id), "finishedAt", "token", "cancelRequested")
  to_lane(DQ, id, li, next_seq(DQ), "attempts", "0", "stalls", "0", "releases", "0", "runAt",
    NOW_S)
  wake(DQ)
  out[#out + 1] = id
end)
flush()
return out
