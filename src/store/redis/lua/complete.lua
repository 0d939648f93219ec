-- complete.lua: marks leased jobs completed.
--
-- KEYS[1]  namespace prefix P (other keys are built from it, see _lib.lua)
-- ARGV[1]  now (epoch ms)
-- ARGV[2]  retention "keepFinished,keepDead" (see read_keep() in _lib.lua)
-- ARGV[3..] items of 4 fields: id, token, has result ("1"/"0"), result bytes
--
-- Returns one status digit per item, as one string (e.g. "002"): 0 OK (also when the job is
-- already completed with that same token: the call was delivered twice), 1 NOT_FOUND,
-- 2 LEASE_LOST (the token is not the job's, or the job is no longer active). A refused item is
-- left unchanged. A completion appends the attempt to the job's history (record_attempt() in
-- _lib.lua, outcome "completed").

set_now(ARGV[1])
local keep = read_keep(ARGV[2])
check_items(3, 4, "complete")
local out = {}
for i = 3, #ARGV, 4 do
  local id = ARGV[i]
  local jk = job_key(id)
  local j = redis.call("HMGET", jk, "state", "token", "queue", "lane")
  local state = j[1]
  local status
  if not state then
    status = 1
  elseif j[2] ~= ARGV[i + 1] then
    status = 2
  elseif state == "completed" then
    status = 0
  elseif state ~= "active" then
    status = 2
  else
    leave_active(j[3], id, j[4])
    record_attempt(id, "completed", nil)
    if ARGV[i + 2] == "1" then
      finish(j[3], id, j[4], "completed", keep, "result", ARGV[i + 3])
    else
      finish(j[3], id, j[4], "completed", keep)
    end
    status = 0
  end
  out[#out + 1] = status
end
flush()
return table.concat(out)
