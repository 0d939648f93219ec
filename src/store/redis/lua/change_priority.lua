-- change_priority.lua: moves a waiting, delayed or blocked job to another lane. A waiting job
-- keeps its seq (its place in line) in the new lane.
--
-- KEYS[1]  namespace prefix P (other keys are built from it, see _lib.lua)
-- ARGV[1]  job id
-- ARGV[2]  new lane index (0..4)
--
-- Returns { status, state }: 0 OK with the job's state, 1 NOT_FOUND with "", 3 WRONG_STATE
-- with the job's state (active or finished).

local id, lane = ARGV[1], ARGV[2]
local jk = job_key(id)
local j = redis.call("HMGET", jk, "state", "queue", "lane", "seq")
local state, q, li = j[1], j[2], j[3]
if not state then return { 1, "" } end
if state ~= "waiting" and state ~= "delayed" and state ~= "blocked" then return { 3, state } end
count(q, state, li, -1)
if state == "waiting" then
  redis.call("ZREM", lane_key(q, li), id)
  redis.call("ZADD", lane_key(q, lane), j[4], id)
end
redis.call("HSET", jk, "lane", lane)
count(q, state, lane, 1)
flush()
return { 0, state }
