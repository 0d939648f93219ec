-- cancel.lua: cancels a job.
-- uses: core observe limits leases jobs unique deps
--
-- KEYS[1]  namespace prefix P (other keys are built from it, see _core.lua)
-- ARGV[1]  now (epoch ms, "" = Redis TIME)
-- ARGV[2]  store options (see read_opts() in _jobs.lua)
-- ARGV[3]  job id
--
-- Returns { status, state letter }: waiting (taken out of its lane: O(its position)), delayed or
-- blocked => 0 OK, "k" (finishedAt now); active => 4 CANCEL_REQUESTED, "a" (flag set, and the
-- job id published on P.."cancel:"..worker, so its node aborts it at once; the lease renewal
-- tells it too); already cancelled => 0 OK, "k" (so a call delivered twice succeeds twice);
-- completed or dead => 3 WRONG_STATE with the state; missing => 1 NOT_FOUND, "".

set_now(ARGV[1])
local keep = read_opts(ARGV[2])
local id = ARGV[3]
local j = redis.call("HMGET", job_key(id), "s", "q", "l", "n", "w")
local state, q, li = j[1], j[2], j[3]
if not state then return { 1, "" } end
if state == "a" then
  redis.call("HSET", job_key(id), "k", "1")
  redis.call("PUBLISH", P .. "cancel:" .. j[5], id)
  return { 4, "a" }
elseif state == "k" then
  return { 0, "k" }
elseif state == "w" then
  leave_line(q, id, li)
elseif state == "d" then
  leave_delayed(q, id)
  count(q, "d", li, -1)
elseif state == "b" then
  redis.call("ZREM", qkey(q, "blocked"), id)
  redis.call("HDEL", job_key(id), "po")
  count(q, "b", li, -1)
else
  return { 3, state }
end
observe_cancelled(id, j[4], q, li)
finish(q, id, li, "k", keep, nil)
flush()
return { 0, "k" }
