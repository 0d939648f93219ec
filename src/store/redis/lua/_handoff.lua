-- _handoff.lua: leasing a new job straight to an idle node (needs _core.lua, _reserve.lua and
-- _lease_reply.lua). A node that a reserve left idle registers its standing request: P.."hot:"..
-- node holds that reserve's arguments (its free slots as the count, its prefetch room as the
-- prefetch, a format mark and the time in place of the lifetime), and P.."idle:"..q lists the
-- node for each of its queues. An enqueue that makes jobs waiting in such a queue runs the
-- request for the queue (reserve_jobs: the picker, limits, pauses and lanes as any reserve) and
-- publishes the framed leases on the node's channel P.."ho:"..node: the node starts the job
-- without a wake-up and a reserve of its own, one round trip fewer. Only a node subscribed to
-- its channel at that moment is handed jobs (PUBSUB NUMSUB): one whose process ended has lost
-- its connection, and its registration is dropped. (On a Redis Cluster the count is of the
-- shard's own subscribers, where the worker's may not be: workers there do not register.)

-- The mark of a registration's format, at the head of its 19th field (then the time it was
-- written). A registration of another format (another version's) is left alone: its queue is
-- woken instead.
local HANDOFF_FORMAT = "h1."

-- At most this many queues a node registers for; a node serving more is woken as before (its
-- registration would cost a write per queue at every idle reserve). The same as
-- HANDOFF_MAX_QUEUES in handoff_feed.ts, where such a node gets no feed.
local HANDOFF_MAX_QUEUES = 8

local function handoff_template_key(worker)
  return P .. "hot:" .. worker
end

local function idle_key(q)
  return P .. "idle:" .. q
end

-- Registers worker (its reserve's arguments A, as reserve.lua's ARGV) as idle with `free` slots,
-- of which at most `lower_free` (nil: no limit) for the lanes below high, and room for
-- `prefetch` more prefetched jobs, on `queues`. The registration lasts A[19] ms unless the
-- node's next reserve renews or drops it.
local function register_handoff(A, free, lower_free, prefetch, queues)
  local t = {}
  for i = 1, 18 do t[i] = A[i] end
  t[1], t[4], t[15], t[17], t[18] = "", itos(free), itos(math.max(prefetch, 0)),
    lower_free and itos(lower_free) or "", ""
  t[19] = HANDOFF_FORMAT .. NOW_S
  for k, q in ipairs(queues) do t[19 + k] = q end
  redis.call("SET", handoff_template_key(A[3]), table.concat(t, "\n"), "PX", A[19])
  for _, q in ipairs(queues) do redis.call("SADD", idle_key(q), A[3]) end
end

-- Drops worker's registration (its queues' lists are cleaned as enqueues find it gone): a
-- reserve that did not leave it idle, a steal that took jobs.
local function drop_handoff(worker)
  redis.call("DEL", handoff_template_key(worker))
end

-- Whether a reserve's node may be registered: it asks to be (A[19] a lifetime) and names few
-- enough queues. (No other node ever is, so its reserve need not drop a registration.)
local function handoff_allowed(A, queues)
  return A[19] ~= "" and #queues > 0 and #queues <= HANDOFF_MAX_QUEUES
end

-- Leases jobs of queue q to one idle node registered for it, if any; returns whether the call
-- still has to wake q (no node took its jobs, or one took as many as it had room for and more
-- may wait). The call's pending writes are sent first, so the lanes hold the new jobs.
local function hand_off(q)
  local ikey = idle_key(q)
  for _, worker in ipairs(redis.call("SRANDMEMBER", ikey, "2")) do
    local tkey = handoff_template_key(worker)
    local channel = P .. "ho:" .. worker
    local text = redis.call("GET", tkey)
    if text and redis.call("PUBSUB", "NUMSUB", channel)[2] == 0 then
      redis.call("DEL", tkey)
      text = nil
    end
    local t = {}
    if text then
      for field in string.gmatch(text .. "\n", "([^\n]*)\n") do t[#t + 1] = field end
    end
    if not text then
      redis.call("SREM", ikey, worker)
    elseif string.sub(t[19] or "", 1, #HANDOFF_FORMAT) == HANDOFF_FORMAT then
      local A = {}
      for i = 1, 19 do A[i] = t[i] end
      local want, lower_free = tonumber(t[4]), tonumber(t[17])
      -- unique: on Redis TIME a registration is written at most once a ms for a reserve call
      -- (its token base is the call's, kept when the call is retried), and count plus prefetch
      -- goes down at every handoff that leases anything
      local token_base = t[6] .. t[19] .. "." .. itos(want + tonumber(t[15]))
      A[6], A[20] = token_base, q
      send_later()
      local started, n, out, _, lower_taken = reserve_jobs(A)
      if n == 0 then return true end
      if started >= want then
        redis.call("DEL", tkey)
      else
        t[4] = itos(want - started)
        t[15] = itos(math.max(tonumber(t[15]) - (n - started), 0))
        if lower_free then t[17] = itos(lower_free - lower_taken) end
        redis.call("SET", tkey, table.concat(t, "\n"), "KEEPTTL")
      end
      local reply = lease_reply(started, out, "")
      redis.call("PUBLISH", channel, token_base .. "\n" .. t[5] .. "\n" .. reply)
      return started >= want or t[16] ~= "" or (lower_free ~= nil and lower_taken >= lower_free)
    end
  end
  return true
end

-- Hands the jobs this call made waiting to idle nodes: for each queue the call wakes that has a
-- node registered, hand_off; a queue whose jobs a node took is not woken.
local function hand_off_woken()
  local kept = {}
  for _, q in ipairs(WAKE_LIST) do
    if redis.call("EXISTS", idle_key(q)) == 0 or hand_off(q) then
      kept[#kept + 1] = q
    else
      WAKE[q] = nil
    end
  end
  WAKE_LIST = kept
end
