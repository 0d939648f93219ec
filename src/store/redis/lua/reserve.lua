-- reserve.lua: leases up to `count` jobs started, then up to `prefetch` more prefetched (leased
-- unstarted, stealable until `start`), from the given queues, choosing lanes with each queue's
-- lane picker (pick_lane in _picker.lua, the same algorithm as src/schedule/lane_picker.ts).
-- uses: core observe limits leases jobs unique deps picker lease_reply idle reserve handoff
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
-- ARGV[19]  handoff: "" = none; else how long (ms) a registration lasts: a call that leaves the
--           node idle (as for ARGV[18], naming at most HANDOFF_MAX_QUEUES queues) registers it
--           for jobs enqueued later to be leased straight to it (_handoff.lua), any other call
--           naming so few queues drops its registration
-- ARGV[20..]   queue names, in preference order (paused and unknown queues are skipped)
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
local started, n, out, queues, lower_taken = reserve_jobs(ARGV)
if n > 0 then redis.call("SET", call_key, token_base, "PX", itos(math.max(lease_ms, 1))) end
flush()
if handoff_allowed(ARGV, queues) then
  if ARGV[18] == "1" and started < started_want then -- going idle
    local lower_limit = tonumber(ARGV[17])
    register_handoff(ARGV, started_want - started, lower_limit and lower_limit - lower_taken,
      tonumber(ARGV[15]) - (n - started), queues)
  else
    drop_handoff(worker)
  end
end
local idle = ""
if ARGV[18] == "1" and started < started_want then idle = idle_answer(queues, worker) end
return lease_reply(started, out, idle)
