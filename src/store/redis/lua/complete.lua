-- complete.lua: marks leased jobs completed.
-- uses: core observe limits leases jobs unique deps
--
-- KEYS[1]  namespace prefix P (other keys are built from it, see _core.lua)
-- ARGV[1]  now (epoch ms, "" = Redis TIME)
-- ARGV[2]  store options (see read_opts() in _jobs.lua)
-- ARGV[3..] items of 3 fields: id, token, result bytes ("" = none; a result is never empty: the
--           codec envelope has a header)
--
-- Returns one status digit per item, as one string (e.g. "002"): 0 OK (also when the job is
-- already completed with that same token: the call was delivered twice), 1 NOT_FOUND (also a
-- job completed under retention 0, whose record is gone), 2 LEASE_LOST (the token is not the
-- job's, or the job is no longer active). A refused item is left unchanged. The completed
-- attempt is not written to the history: the job's fields tell it.

set_now(ARGV[1])
local keep = read_opts(ARGV[2])
check_items(3, 3, "complete")
local out = {}
local GONE = {} -- id -> token of a job this call completed and deletes at flush, unwritten
for i = 3, #ARGV, 3 do
  local id = ARGV[i]
  local jk = job_key(id)
  local j = GONE[id] and { "c", GONE[id] } -- as the job's own fields would answer
    or redis.call("HMGET", jk, "s", "t", "q", "l", "w", "p", "a", "n", "st", "r", "e")
  local state = j[1]
  local status
  if not state then
    status = 1
  elseif j[2] ~= ARGV[i + 1] then
    status = 2
  elseif state == "c" then
    status = 0
  elseif state ~= "a" then
    status = 2
  else
    -- its optional fields, read when it may have any (see read_lease_fields; + d, the one field
    -- it surely holds that was not read): FINISH_FIELDS, then its limit key and lease counted
    local f = NO_FIELDS
    if redis.call("HLEN", jk) ~= count_set(j, 11) + 1 then
      f = redis.call("HMGET", jk, "uk", "us", "pr", "dn", "pc", "lk", "lc")
    end
    leave_active(j[3], id, j[4], j[5], j[6], f[6], f[7])
    -- a prefetched job completed without `start` spends its attempt now
    local spent = j[6] and fmt(tonumber(j[7] or "0") + 1) or j[7] or "0"
    if j[6] then job_started(id, f[1], f[2]) end
    observe_completed(id, j[8], j[3], j[4], spent, j[9], j[10], j[11])
    if keep.c == 0 and f == NO_FIELDS then
      -- deleted at flush with no hook to run (what finish() does, less its state write: only a
      -- repeated item of this call could read the job again, and GONE answers it)
      forget(id, f)
      GONE[id] = ARGV[i + 1]
    elseif ARGV[i + 2] ~= "" then
      finish(j[3], id, j[4], "c", keep, f, "a", spent, "x", ARGV[i + 2])
    else
      finish(j[3], id, j[4], "c", keep, f, "a", spent)
    end
    status = 0
  end
  out[#out + 1] = status
end
flush()
return table.concat(out)
