-- requeue_dead.lua: requeues the dead jobs of a queue matching a filter.
-- uses: core observe limits leases jobs unique deps dead_letters
--
-- KEYS[1]  namespace prefix P (other keys are built from it, see _core.lua)
-- ARGV     the dead-letter filter (see _dead_letters.lua)
--
-- Each match: out of the dead index; attempts, stalls and releases 0; finishedAt, token and
-- cancelRequested cleared; runAt now; waiting at the back of its lane; history and error kept.
-- Publishes P.."wake:"..queue when any job moved; records a "requeued" event each.
-- Returns { next cursor ("" when done), requeued id, ... }. Safe to run twice: a requeued job is
-- no longer dead, so a call delivered twice requeues nothing more (its reply lists fewer jobs).

read_opts(ARGV[2])
local out = { "" }
out[1] = scan_dead(function(id, li)
  later("ZREM", D_KEY, id)
  count(DQ, "x", li, -1)
  redis.call("HDEL", job_key(id), "f", "t", "k", "a", "sl", "rl", "po")
  to_waiting(DQ, id, li, false, "r", NOW_S)
  local name = redis.call("HGET", job_key(id), "n")
  event("requeued", id, name, DQ, li)
  metric(DQ, li, name, "requeued")
  out[#out + 1] = id
end)
flush()
return out
