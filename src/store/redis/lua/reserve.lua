-- reserve.lua: leases up to `count` jobs (started) plus up to `prefetch` more (prefetched:
-- leased unstarted, stealable until `start`) from the given queues, choosing lanes with each
-- queue's lane picker (pick_lane in _lib.lua, the same algorithm as src/schedule/lane_picker.ts).
--
-- KEYS[1]  namespace prefix P (queue keys are built from it, see _lib.lua)
-- ARGV[1]  now (epoch ms)
-- ARGV[2]  worker id
-- ARGV[3]  count (jobs wanted in all)
-- ARGV[4]  lease length (ms)
-- ARGV[5]  token base (random hex); the n-th job leased by this call gets token base.."."..n
-- ARGV[6]  promote batch: due delayed jobs promoted per queue first, max(this, count)
-- ARGV[7..13]  default lane configuration: w0..w4, strict ("1"/"0"), aging ms (-1 = off)
-- ARGV[14]  prefetch: jobs leased beyond `count`, unstarted
-- ARGV[15]  lanes allowed, as lane index digits ("" = all); other lanes count as empty
-- ARGV[16]  lower-lane limit: most started jobs from lanes 2..4 ("" = none); past it, started
--           picks see those lanes as empty (prefetched picks are not limited)
-- ARGV[17..]   queue names, in preference order (paused and unknown queues are skipped)
--
-- Returns one framed string (see frame_lease() in _lib.lua): first the number of jobs leased
-- started (the first ones: fewer than `count` when the lower-lane limit left upper slots empty),
-- then 6 fields per leased job: id, name,
-- queue, payload, "lane index,attempt,maxAttempts,stalls,enqueuedAt,runAt,releases", backoff. The
-- caller knows the rest: startedAt = now, leaseDeadline = now + lease length, token = token
-- base.."."..(index of the job in the reply, from 0), started = index < count. Prefetched jobs
-- get the field prefetched = "1", a place in P.."pf:"..queue..":"..worker (score from
-- P.."pfseq") and count in P.."prefetched".

set_now(ARGV[1])
local worker = ARGV[2]
local started = tonumber(ARGV[3])
local prefetch = tonumber(ARGV[14])
local want = started + prefetch
local lease_deadline = fmt(NOW + tonumber(ARGV[4]))
local token_base = ARGV[5]
local promote_limit = math.max(tonumber(ARGV[6]), want)
local allowed = {}
for i = 0, 4 do
  allowed[i] = ARGV[15] == "" or string.find(ARGV[15], tostring(i), 1, true) ~= nil
end
local lower_limit = tonumber(ARGV[16])
local lower_taken = 0
local out = {}
local n = 0
local pf_seq = nil -- the latest prefetch order handed out (a block is taken from P.."pfseq")
local pf_n = 0

for qi = 17, #ARGV do
  if n >= want then break end
  local q = ARGV[qi]
  local meta = qkey(q, "meta")
  local m = redis.call("HMGET", meta, "paused", "vt", "p0", "p1", "p2", "p3", "p4", "la",
    "w0", "w1", "w2", "w3", "w4", "strict", "aging")
  if m[1] ~= "1" then
    promote(q, promote_limit)
    local st = { vt = tonumber(m[2] or "0"), pass = {}, aged = m[8] == "1" }
    local cfg = { w = {}, strict = (m[14] or ARGV[12]) == "1" }
    local aging = tonumber(m[15] or ARGV[13])
    if aging >= 0 then cfg.aging = aging end
    for i = 0, 4 do
      st.pass[i] = tonumber(m[3 + i] or "0")
      cfg.w[i] = tonumber(m[9 + i] or ARGV[7 + i])
    end
    -- Lane heads are read in chunks (ZRANGE from rank `taken`) and removed once at the end
    -- (ZREMRANGEBYRANK): the jobs leased from a lane are exactly its first `taken` members.
    local heads, buf, pos, taken, dry = {}, {}, {}, {}, {}
    local function load_head(i)
      local b = buf[i]
      if b == nil or pos[i] > #b then
        if dry[i] or not allowed[i] then
          heads[i] = false
          return
        end
        local chunk = math.max(want - n, 1)
        local r = redis.call("ZRANGE", lane_key(q, i), taken[i], taken[i] + chunk - 1, "WITHSCORES")
        b = {}
        for k = 1, #r, 2 do b[#b + 1] = { r[k], tonumber(r[k + 1]) } end
        buf[i], pos[i], dry[i] = b, 1, #b < chunk
        if #b == 0 then
          heads[i] = false
          return
        end
      end
      local e = b[pos[i]]
      local j = redis.call("HMGET", job_key(e[1]), unpack(LEASE_FIELDS))
      heads[i] = { since = tonumber(j[8]), seq = e[2], id = e[1], job = j }
    end
    for i = 0, 4 do
      taken[i] = 0
      load_head(i)
    end
    local picked = false
    local active = qkey(q, "active")
    while n < want do
      local view = heads
      if lower_limit and n < started and lower_taken >= lower_limit then
        view = { [0] = heads[0], [1] = heads[1], [2] = false, [3] = false, [4] = false }
      end
      local li = pick_lane(st, view, cfg, NOW)
      if li < 0 and view ~= heads then
        -- the upper lanes ran dry under the limit: the other picks are prefetched
        started = n
        want = started + prefetch
        if n >= want then break end
        li = pick_lane(st, heads, cfg, NOW)
      end
      if li < 0 then break end
      if n < started and li >= 2 then lower_taken = lower_taken + 1 end
      picked = true
      local id, j = heads[li].id, heads[li].job
      pos[li] = pos[li] + 1
      taken[li] = taken[li] + 1
      local attempt = fmt(tonumber(j[3]) + 1)
      local token = token_base .. "." .. n
      if n < started then
        lease(id, worker, token, lease_deadline, "attempts", attempt)
      else
        lease(id, worker, token, lease_deadline, "attempts", attempt, "prefetched", "1")
        if pf_seq == nil then pf_seq = redis.call("INCRBY", P .. "pfseq", prefetch) - prefetch end
        pf_seq = pf_seq + 1
        redis.call("ZADD", pf_key(q, worker), pf_seq, id)
        pf_n = pf_n + 1
      end
      later("ZADD", active, lease_deadline, id)
      count(q, "active", li, 1)
      frame_lease(out, id, q, li, attempt, j)
      n = n + 1
      if n < want then load_head(li) end
    end
    for i = 0, 4 do
      if taken[i] > 0 then redis.call("ZREMRANGEBYRANK", lane_key(q, i), 0, taken[i] - 1) end
    end
    if picked then
      redis.call("HSET", meta, "vt", fmt(st.vt), "p0", fmt(st.pass[0]), "p1", fmt(st.pass[1]),
        "p2", fmt(st.pass[2]), "p3", fmt(st.pass[3]), "p4", fmt(st.pass[4]),
        "la", st.aged and "1" or "0")
    end
  end
end
if pf_n > 0 then pf_count(worker, pf_n) end
flush()
return #tostring(math.min(started, n)) .. ":" .. math.min(started, n) .. table.concat(out)
