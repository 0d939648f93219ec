-- reserve.lua: leases up to `count` jobs started, then up to `prefetch` more prefetched (leased
-- unstarted, stealable until `start`), from the given queues, choosing lanes with each queue's
-- lane picker (pick_lane in _picker.lua, the same algorithm as src/schedule/lane_picker.ts).
-- uses: core observe limits leases jobs unique deps picker lease_reply idle
--
-- KEYS[1]  namespace prefix P (queue keys are built from it, see _core.lua)
-- ARGV[1]  now (epoch ms, "" = Redis TIME)
-- ARGV[2]  store options (see read_opts() in _jobs.lua)
-- ARGV[3]  worker id
-- ARGV[4]  count (jobs wanted started)
-- ARGV[5]  lease length (ms)
-- ARGV[6]  token base (random hex); the n-th job leased by this call gets token base.."."..n
-- ARGV[7]  promote batch: due delayed jobs promoted per queue first, max(this, count+prefetch)
-- ARGV[8..14]  default lane configuration: w0..w4, strict ("1"/"0"), aging ms (-1 = off)
-- ARGV[15]  prefetch: jobs leased beyond the started ones, unstarted
-- ARGV[16]  lanes allowed, as lane index digits ("" = all); other lanes count as empty
-- ARGV[17]  lower-lane limit: most started jobs from lanes 2..4 ("" = none); past it, started
--           picks see those lanes as empty (prefetched picks are not limited)
-- ARGV[18]  "1": when fewer than `count` jobs start, the reply also tells how long the node may
--           sleep (idle_answer in _idle.lua, read after this call's writes), so a node going
--           idle needs no idle_wait call; "" = never
-- ARGV[19..]   queue names, in preference order (paused and unknown queues are skipped)
--
-- First the due delayed jobs of every named queue are promoted. Then two passes over the queues
-- in order: the started pass takes up to `count` jobs (the lower-lane limit holds across all
-- queues of the call), the prefetch pass up to `prefetch` more. Only queues listed in P.."ready"
-- are read; a queue found empty there is dropped from it. Once the lower-lane limit is reached,
-- a started pick opens a queue not opened yet only when one EXISTS finds its upper lanes holding
-- jobs (may_have_upper); a queue passed over so is left in P.."ready".
-- Limits (_limits.lua): jobs whose limit key that opened are moved back to their lanes first
-- (unpark). A queue whose rate window is full is passed over; a head job whose limit key is full
-- or paused is parked on that key and its lane goes on; a started job counts against its key's
-- window and concurrency. Limited jobs are never prefetched (a window counts starts): a lane's
-- prefetch stops at its first one.
-- A started job's attempt is charged now (a + 1), with an "active" event; a prefetched job's
-- at `start`.
-- Returns the lease reply (lease_reply.lua): the started count, now, the idle answer ("" unless
-- asked for and fewer than `count` started), then 7 fields per job.
-- Replay-safe: the token base of a call that leased jobs is kept in P.."call:"..worker for the
-- lease length; a call that finds its own token base there was delivered twice and returns the
-- leases it made again (a call that leased nothing can run again: it took nothing).

set_now(ARGV[1])
read_opts(ARGV[2])
local worker = ARGV[3]
local lease_ms = tonumber(ARGV[5])
local token_base = ARGV[6]
local call_key = P .. "call:" .. worker
if redis.call("GET", call_key) == token_base then return replay_leases(worker, token_base) end

local started_want = tonumber(ARGV[4])
local prefetch = tonumber(ARGV[15])
local deadline = fmt(NOW + lease_ms)
local promote_limit = math.max(tonumber(ARGV[7]), started_want + prefetch)
-- Tables indexed by lane are built whole by constructors ({ [0] = a, b, c, d, e }): one filled
-- key by key grows (and rehashes) three times on the way to five keys.
local function lane_allowed(i)
  return ARGV[16] == "" or string.find(ARGV[16], itos(i), 1, true) ~= nil
end
local allowed = { [0] = lane_allowed(0), lane_allowed(1), lane_allowed(2), lane_allowed(3),
  lane_allowed(4) }
local lower_limit = tonumber(ARGV[17])

-- The named queues, once each, in order.
local queues, seen = {}, {}
for i = 19, #ARGV do
  local q = ARGV[i]
  if not seen[q] then
    seen[q] = true
    queues[#queues + 1] = q
  end
end
if #queues == 0 then return lease_reply(0, {}, "") end

local due = redis.call("ZMSCORE", P .. "due", unpack(queues))
for k, q in ipairs(queues) do
  if due[k] and tonumber(due[k]) <= NOW then promote(q, promote_limit) end
end
unpark()
local is_ready = redis.call("SMISMEMBER", P .. "ready", unpack(queues))

local n = 0
local out = {}
local lower_taken = 0
local pf_seq = nil -- the latest prefetch order handed out (a block is taken from P.."pfseq")
local pf_n = 0
local QS = {} -- queue -> its dispatch state for this call, or false (paused or empty)
local load_head

-- The dispatch state of queue q: picker state, configuration, lane heads (read lazily in chunks;
-- the jobs leased from a lane are exactly its first `taken` members, trimmed once at the end).
local function open_queue(k, q)
  if QS[q] ~= nil then return QS[q] end
  if is_ready[k] ~= 1 and not READY[q] then
    QS[q] = false
    return false
  end
  local m = redis.call("HMGET", qkey(q, "meta"), "paused", "vt", "p0", "p1", "p2", "p3", "p4",
    "la", "w0", "w1", "w2", "w3", "w4", "strict", "aging", "rmax", "rdur")
  if m[1] == "1" then
    QS[q] = false
    return false
  end
  local aging = tonumber(m[15] or ARGV[14])
  local qlim = nil
  if tonumber(m[16] or "0") > 0 then
    qlim = limit_state("@" .. q, { rmax = tonumber(m[16]), rdur = tonumber(m[17]), cmax = 0 })
  end
  local s = {
    st = {
      vt = tonumber(m[2] or "0"),
      pass = { [0] = tonumber(m[3] or "0"), tonumber(m[4] or "0"), tonumber(m[5] or "0"),
        tonumber(m[6] or "0"), tonumber(m[7] or "0") },
      aged = m[8] == "1",
    },
    cfg = {
      w = { [0] = tonumber(m[9] or ARGV[8]), tonumber(m[10] or ARGV[9]),
        tonumber(m[11] or ARGV[10]), tonumber(m[12] or ARGV[11]), tonumber(m[13] or ARGV[12]) },
      strict = (m[14] or ARGV[13]) == "1",
      stride = { [0] = false, false, false, false, false },
      aging = aging >= 0 and aging or nil,
    },
    heads = { [0] = false, false, false, false, false },
    buf = { [0] = false, false, false, false, false },
    pos = { [0] = 0, 0, 0, 0, 0 },
    taken = { [0] = 0, 0, 0, 0, 0 },
    dry = { [0] = false, false, false, false, false },
    kept = { [0] = false, false, false, false, false },
    picked = false,
    qlim = qlim,
  }
  QS[q] = s
  for i = 0, 4 do load_head(q, s, i) end
  return s
end

load_head = function(q, s, i)
  local b = s.buf[i]
  if not b or s.pos[i] > #b then
    if s.dry[i] or not allowed[i] then
      s.heads[i] = false
      return
    end
    local chunk = math.max(started_want + prefetch - n, 1)
    local from = s.taken[i]
    b = redis.call("LRANGE", lane_key(q, i), itos(from), itos(from + chunk - 1))
    s.buf[i], s.pos[i], s.dry[i] = b, 1, #b < chunk
    if #b == 0 then
      s.heads[i] = false
      return
    end
  end
  local id = b[s.pos[i]]
  local j = read_lease_fields(id)
  local head = s.heads[i]
  if head then -- reused: no reader keeps a head past the next load of its lane
    head.since, head.id, head.job = time_num(j[5] or j[4]), id, j
  else
    s.heads[i] = { since = time_num(j[5] or j[4]), id = id, job = j }
  end
end

local UPPER_ONLY = { [2] = false, [3] = false, [4] = false }

-- Whether queue q (k-th named) may have jobs waiting in an upper lane (0 or 1) that this call may
-- take: asked of a queue not opened yet once the lower-lane limit is reached, where opening it
-- (its configuration, five lane heads) costs far more than this one EXISTS. A node serving
-- many queues would otherwise open every ready queue at each call.
local function may_have_upper(k, q)
  if is_ready[k] ~= 1 and not READY[q] then return false end
  if allowed[0] and allowed[1] then
    return redis.call("EXISTS", lane_key(q, 0), lane_key(q, 1)) > 0
  end
  for i = 0, 1 do
    if allowed[i] and redis.call("EXISTS", lane_key(q, i)) > 0 then return true end
  end
  return false
end

-- Leases job id (queue q, lane li; j: its LEASE_FIELDS values) as the n-th job of the call,
-- started or prefetched, counting it against its limit keys.
local function take(q, li, id, j, started)
  local attempt = j[3] and itos(tonumber(j[3]) + 1) or "1"
  local token = token_base .. "." .. itos(n)
  local lt = itos(li)
  local counted = j[13] and limit_take(limit_state(j[13], limit_config(j[1])))
  local s = QS[q]
  if s.qlim then limit_take(s.qlim) end
  if started then
    if counted then
      lease(id, worker, token, deadline, "a", attempt, "lc", "1")
    else
      lease(id, worker, token, deadline, "a", attempt)
    end
    job_started(id, j[11], j[12])
    local since = time_num(j[5] or j[4])
    event("active", id, j[1], q, lt, attempt, worker, fmt(NOW - since))
  else
    if counted then
      lease(id, worker, token, deadline, "p", "1", "lc", "1")
    else
      lease(id, worker, token, deadline, "p", "1")
    end
    if pf_seq == nil then pf_seq = redis.call("INCRBY", P .. "pfseq", itos(prefetch)) - prefetch end
    pf_seq = pf_seq + 1
    redis.call("ZADD", pf_key(q, worker), fmt(pf_seq), id)
    pf_n = pf_n + 1
  end
  count(q, "a", lt, 1)
  frame_lease(out, id, q, lt, attempt, itos(n), j)
  n = n + 1
end

-- Leases picks from the queues in order until n reaches `upto`; `started` says which kind.
local function pass(upto, started)
  for k, q in ipairs(queues) do
    if n >= upto then return end
    local s = false
    if QS[q] ~= nil or not (started and lower_limit and lower_taken >= lower_limit)
      or may_have_upper(k, q) then
      s = open_queue(k, q)
    end
    while s and n < upto do
      local view = s.heads
      if started and lower_limit and lower_taken >= lower_limit then
        UPPER_ONLY[0], UPPER_ONLY[1] = s.heads[0], s.heads[1]
        view = UPPER_ONLY
      end
      local li, aged = choose_lane(s.st, view, s.cfg, NOW)
      if li < 0 then break end
      if s.qlim and s.qlim.rate_left <= 0 then
        park_open(s.qlim) -- the queue's own window is full: look again when it opens
        break
      end
      local head = s.heads[li]
      local id, j = head.id, head.job
      if not started and (s.qlim or j[13]) then
        -- a limit counts starts, so its jobs are leased only to start: no prefetch past here
        s.heads[li] = false
        s.kept[li] = true
      else
        s.pos[li] = s.pos[li] + 1
        s.taken[li] = s.taken[li] + 1
        local blocked = limit_blocking(j[1], j[13])
        if blocked then
          park(q, li, id, j[1], blocked) -- held by a limit: set aside, the lane goes on
        else
          advance(s.st, s.cfg, li, aged)
          if started and li >= 2 then lower_taken = lower_taken + 1 end
          s.picked = true
          take(q, li, id, j, started)
        end
        load_head(q, s, li)
      end
    end
  end
end

pass(started_want, true)
local started = n
pass(started + prefetch, false)

for _, q in ipairs(queues) do
  local s = QS[q]
  if s then
    local empty = ARGV[16] == ""
    for i = 0, 4 do
      if s.taken[i] > 0 then redis.call("LTRIM", lane_key(q, i), itos(s.taken[i]), "-1") end
      if s.heads[i] or s.kept[i] then empty = false end
    end
    if empty then later("SREM", P .. "ready", q) end
    if s.picked then
      local st = s.st
      redis.call("HSET", qkey(q, "meta"), "vt", fmt(st.vt), "p0", fmt(st.pass[0]),
        "p1", fmt(st.pass[1]), "p2", fmt(st.pass[2]), "p3", fmt(st.pass[3]),
        "p4", fmt(st.pass[4]), "la", st.aged and "1" or "0")
    end
  end
end
if pf_n > 0 then pf_count(worker, pf_n) end
if n > 0 then redis.call("SET", call_key, token_base, "PX", itos(math.max(lease_ms, 1))) end
flush()
local idle = ""
if ARGV[18] == "1" and started < started_want then idle = idle_answer(queues, worker) end
return lease_reply(started, out, idle)
