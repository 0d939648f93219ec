-- cancel.lua: cancels a job.
--
-- KEYS[1]  namespace prefix P (other keys are built from it, see _lib.lua)
-- ARGV[1]  now (epoch ms)
-- ARGV[2]  retention "keepFinished,keepDead" (see read_keep() in _lib.lua)
-- ARGV[3]  job id
--
-- Returns { status, state }: waiting, delayed or blocked => 0 OK, "cancelled" (finishedAt now);
-- active => 4 CANCEL_REQUESTED, "active" (flag set; its worker learns at its next renewal);
-- final => 3 WRONG_STATE with the state; missing => 1 NOT_FOUND, "".

set_now(ARGV[1])
local keep = read_keep(ARGV[2])
local id = ARGV[3]
local jk = job_key(id)
local j = redis.call("HMGET", jk, "state", "queue", "lane")
local state, q, li = j[1], j[2], j[3]
if not state then return { 1, "" } end
if state == "active" then
  redis.call("HSET", jk, "cancelRequested", "1")
  return { 4, "active" }
elseif state == "waiting" then
  redis.call("ZREM", lane_key(q, li), id)
elseif state == "delayed" then
  redis.call("ZREM", qkey(q, "delayed"), id)
elseif state ~= "blocked" then
  return { 3, state }
end
count(q, state, li, -1)
finish(q, id, li, "cancelled", keep)
flush()
return { 0, "cancelled" }
