-- change_priority.lua: moves a waiting, delayed or blocked job to another lane. A waiting job
-- goes to the back of the new lane (taken out of the old one: O(its position)); a blocked job
-- raises its open prerequisites to a higher lane (priority inheritance, raise() in _deps.lua).
-- uses: core observe limits leases jobs unique deps
--
-- KEYS[1]  namespace prefix P (other keys are built from it, see _core.lua)
-- ARGV[1]  job id
-- ARGV[2]  new lane index (0..4)
--
-- Returns { status, state letter }: 0 OK with the job's state (nothing moves when the lane is
-- the same, so a call delivered twice changes nothing more), 1 NOT_FOUND with "", 3 WRONG_STATE
-- with the job's state (active or finished).

local id, lane = ARGV[1], ARGV[2]
local j = redis.call("HMGET", job_key(id), "s", "q", "l", "pr")
local state, q, li = j[1], j[2], j[3]
if not state then return { 1, "" } end
if state ~= "w" and state ~= "d" and state ~= "b" then return { 3, state } end
if li ~= lane then
  count(q, state, li, -1)
  if state == "w" then leave_line(q, id, li) end
  redis.call("HSET", job_key(id), "l", lane)
  redis.call("HDEL", job_key(id), "ql")
  if state == "w" then enter_lane(q, id, lane, false) end
  count(q, state, lane, 1)
end
if state == "b" then raise(split_ids(j[4]), tonumber(lane)) end
flush()
return { 0, state }
