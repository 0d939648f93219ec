-- reschedule.lua: moves the due time of a waiting, delayed or blocked job.
-- uses: core observe limits leases jobs
--
-- KEYS[1]  namespace prefix P (other keys are built from it, see _core.lua)
-- ARGV[1]  now (epoch ms, "" = Redis TIME)
-- ARGV[2]  job id
-- ARGV[3]  the new due time (epoch ms), or "" to use ARGV[4]
-- ARGV[4]  the new due time as a delay from now (ms)
--
-- Due after now: a waiting job leaves its lane (O(its position)) or the line of the limit it
-- is parked on, and is delayed; a delayed one
-- is re-timed; both wake the workers of its queue. Due now or earlier: a delayed job joins the
-- back of its lane (runAt now); a waiting one stays where it is. A blocked job keeps waiting for
-- its prerequisites and then runs no earlier than the new time (field r).
-- Returns { status, state letter after }: 0 OK, 1 NOT_FOUND with "", 3 WRONG_STATE (active or
-- finished) with its state. Idempotent.

set_now(ARGV[1])
local id = ARGV[2]
local due = ARGV[3] ~= "" and tonumber(ARGV[3]) or NOW + tonumber(ARGV[4])
local j = redis.call("HMGET", job_key(id), "s", "q", "l")
local state, q, li = j[1], j[2], j[3]
if not state then return { 1, "" } end
if state == "b" then
  if due > NOW then
    redis.call("HSET", job_key(id), "r", fmt(due))
  else
    redis.call("HDEL", job_key(id), "r")
  end
  return { 0, "b" }
elseif state ~= "w" and state ~= "d" then
  return { 3, state }
end
if state == "d" then
  leave_delayed(q, id)
  count(q, "d", li, -1)
elseif due > NOW then
  leave_line(q, id, li)
end
if due > NOW then
  to_delayed(q, id, li, fmt(due))
  wake(q)
  state = "d"
elseif state == "d" then
  to_waiting(q, id, li, false, "r", NOW_S)
  state = "w"
end
flush()
return { 0, state }
