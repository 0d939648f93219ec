-- start.lua: marks prefetched jobs started, so they can no longer be stolen, and charges their
-- attempt.
-- uses: core observe limits leases jobs unique deps
--
-- KEYS[1]  namespace prefix P (other keys are built from it, see _core.lua)
-- ARGV[1]  now (epoch ms, "" = Redis TIME)
-- ARGV[2]  store options (see read_opts() in _jobs.lua)
-- ARGV[3..] items of 2 fields: id, token
--
-- An active job holding that token: when prefetched, it leaves P.."pf:"..queue..":"..worker and
-- P.."prefetched", its startedAt becomes now and its attempts grow by one; when already started,
-- nothing changes (so a call delivered twice changes nothing more).
-- Returns one status digit per item, as one string: 0 OK, 1 NOT_FOUND, 2 LEASE_LOST (the token
-- is not the job's, e.g. it was stolen or reclaimed, or the job is not active).

set_now(ARGV[1])
read_opts(ARGV[2])
check_items(3, 2, "start")
local out = {}
for i = 3, #ARGV, 2 do
  local id = ARGV[i]
  local jk = job_key(id)
  local j = redis.call("HMGET", jk, "s", "t", "q", "p", "w", "a", "uk", "us", "n", "l", "r", "e")
  local status = 0
  if not j[1] then
    status = 1
  elseif j[1] ~= "a" or j[2] ~= ARGV[i + 1] then
    status = 2
  elseif j[4] then
    unprefetch(j[3], id, j[5])
    local attempt = fmt(tonumber(j[6] or "0") + 1)
    redis.call("HSET", jk, "st", NOW_S, "a", attempt)
    job_started(id, j[7], j[8])
    event("active", id, j[9], j[3], j[10], attempt .. "\t" .. j[5] .. "\t"
      .. fmt(NOW - tonumber(j[11] or j[12])))
  end
  out[#out + 1] = status
end
flush()
return table.concat(out)
