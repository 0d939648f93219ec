-- steal.lua: takes prefetched, unstarted jobs of the given queues from the node holding the most
-- of them (never from the thief) and leases them to the thief, started, with new tokens.
-- uses: core observe limits leases jobs unique deps lease_reply handoff
--
-- KEYS[1]  namespace prefix P (other keys are built from it, see _core.lua)
-- ARGV[1]  now (epoch ms, "" = Redis TIME)
-- ARGV[2]  store options (see read_opts() in _jobs.lua)
-- ARGV[3]  thief (worker id)
-- ARGV[4]  count: jobs wanted at most
-- ARGV[5]  lease length (ms)
-- ARGV[6]  token base (random hex); the n-th job taken gets token base.."."..n
-- ARGV[7..]  queue names
--
-- The victim: the node with the most prefetched jobs in these queues (sum of ZCARD of its
-- P.."pf:"..q..":"..node), ties to the one with more prefetched jobs in all, then the lower id.
-- Nodes are visited busiest first in P.."prefetched", and the walk stops at the first node whose
-- total cannot beat the best sum found: one step when every node serves the same queues.
-- Takes min(count, ceil(victim's sum / 2)) jobs, earliest prefetched first. Each: worker = thief,
-- new token, startedAt = now, lease deadline = now + lease length, no longer prefetched, its
-- attempt charged (a + 1).
-- A thief that took jobs is no longer registered for handoffs (_handoff.lua).
-- Returns the lease reply (lease_reply.lua), every job started.
-- Replay-safe like reserve.lua (P.."call:"..thief holds the token base of a call that took
-- jobs, for the lease length).

set_now(ARGV[1])
read_opts(ARGV[2])
local thief = ARGV[3]
local want = tonumber(ARGV[4])
local lease_ms = tonumber(ARGV[5])
local token_base = ARGV[6]
local call_key = P .. "call:" .. thief
if redis.call("GET", call_key) == token_base then return replay_leases(thief, token_base) end
local deadline = fmt(NOW + lease_ms)

local victim, best = nil, 0
local ranked = P .. "prefetched"
local from, chunk = 0, 16
while want > 0 do
  local r = redis.call("ZRANGE", ranked, from, from + chunk - 1, "WITHSCORES")
  local beaten = false
  for k = 1, #r, 2 do
    local node = r[k]
    if -tonumber(r[k + 1]) <= best then
      beaten = true
      break
    end
    if node ~= thief then
      local sum = 0
      for qi = 7, #ARGV do sum = sum + redis.call("ZCARD", pf_key(ARGV[qi], node)) end
      if sum > best then victim, best = node, sum end
    end
  end
  if beaten or #r < 2 * chunk then break end
  from = from + chunk
end
if victim == nil then return lease_reply(0, {}) end
redis.call("SET", call_key, token_base, "PX", math.max(lease_ms, 1))

local take = math.min(want, math.ceil(best / 2))
local picks = {}
for qi = 7, #ARGV do
  local q = ARGV[qi]
  local r = redis.call("ZRANGE", pf_key(q, victim), 0, take - 1, "WITHSCORES")
  for k = 1, #r, 2 do picks[#picks + 1] = { id = r[k], q = q, order = tonumber(r[k + 1]) } end
end
table.sort(picks, function(a, b) return a.order < b.order end)

local out = {}
for n = 0, take - 1 do
  local pick = picks[n + 1]
  local id, q = pick.id, pick.q
  local j = redis.call("HMGET", job_key(id), "n", "d", "a", "e", "r", "m", "sl", "rl", "bo", "pr",
    "uk", "us", "l")
  local attempt = fmt(tonumber(j[3] or "0") + 1)
  unprefetch(q, id, victim)
  later("SREM", held_key(victim), id)
  lease(id, thief, token_base .. "." .. n, deadline, "a", attempt)
  job_started(id, j[11], j[12])
  event("active", id, j[1], q, j[13], attempt .. "\t" .. thief .. "\t" .. fmt(NOW - tonumber(j[5] or j[4])))
  frame_lease(out, id, q, j[13], attempt, n, j)
end
if take > 0 then drop_handoff(thief) end -- the slots it was registered with are taken
flush()
return lease_reply(take, out)
