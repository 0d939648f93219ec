-- _core.lua: what every Sluice script shares: the namespace prefix, the clock, number
-- formatting, key builders, and pending effects applied once per call by flush(). scripts.ts
-- prepends it (and the other libraries a script names on its "-- uses:" line) to each script,
-- so everything here is a local of the script's chunk.
--
-- KEYS[1] of every script is the namespace prefix P = "{sluice:NS}:". The scripts build the
-- other keys of the namespace from P (all share P's hash tag, so every script stays legal on
-- Redis Cluster). The key layout and the job hash fields are documented in
-- src/store/redis/keys.ts and src/store/redis/job_fields.ts.
--
-- Time: a script's `now` comes from its first ARGV: epoch ms when the store runs on an injected
-- clock (tests), or "" to read Redis TIME, so node clocks that drift cannot fire jobs early or
-- reclaim live leases.
-- Numbers: Lua numbers are doubles. Written numbers go through fmt() ("%d" for integers below
-- 10^15, else "%.17g": both exact), never tostring() or "..", which keep only 14 digits. On the
-- job path a number argument of redis.call goes as text too (itos() or fmt()): Redis formats a
-- Lua number with "%.17g", some 2,000 instructions each.
--
-- Status codes (src/job/status.ts): 0 OK, 1 NOT_FOUND, 2 LEASE_LOST, 3 WRONG_STATE,
-- 4 CANCEL_REQUESTED, 5 NOT_LEADER.

local P = KEYS[1]
local NOW_S = "0"
local NOW = 0

-- Memo tables below are kept from call to call in a function library (@load, see
-- src/store/redis/lua_function.ts): INT_TEXT and FRAME_HEAD hold at most MEMO_MAX entries each,
-- then start again empty; COUNT_FIELDS holds a few dozen (state letters by lane).
-- @load
local MEMO_MAX = 1024

-- Text of integer n, memoized: ".." on a number goes through sprintf("%.14g"), which the per-job
-- paths feel (lane indexes, lengths, counters).
-- @load
local INT_TEXT = {}
-- @load
local INT_TEXT_SIZE = 0
local function itos(n)
  local s = INT_TEXT[n]
  if s == nil then
    s = string.format("%d", n)
    if INT_TEXT_SIZE >= MEMO_MAX then INT_TEXT, INT_TEXT_SIZE = {}, 0 end
    INT_TEXT[n] = s
    INT_TEXT_SIZE = INT_TEXT_SIZE + 1
  end
  return s
end

-- The number a time text (epoch ms) stands for, memoized for the call: tonumber() of a 13-digit
-- text goes through strtod, and the jobs of one call share a few such times (the enqueue call's,
-- the reserve call's).
local TIME_NUMBER = {}
local function time_num(s)
  local n = TIME_NUMBER[s]
  if n == nil and s then
    n = tonumber(s)
    if n then TIME_NUMBER[s] = n end
  end
  return n
end

local function fmt(n)
  -- integers (times, counts, ids) take the fast integer path; "%.17g" is exact for the rest
  if n % 1 == 0 and n > -1e15 and n < 1e15 then
    if n >= 0 and n < 1e6 then return itos(n) end -- durations, counts: often the same few
    return string.format("%d", n)
  end
  return string.format("%.17g", n)
end

-- Sets the script's clock from its ARGV text: a number, or "" for Redis TIME.
local function set_now(s)
  if s == "" then
    local t = redis.call("TIME")
    NOW = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
    NOW_S = fmt(NOW)
    return
  end
  NOW = tonumber(s)
  if NOW == nil then error("sluice: now is not a number: " .. tostring(s)) end
  NOW_S = s
end

local function job_key(id)
  return P .. "j:" .. id
end

local function qkey(q, suffix)
  return P .. "q:" .. q .. ":" .. suffix
end

local LANE_KEYS = {} -- q -> lane index (number or text) -> its key, built once a call
local function lane_key(q, li)
  local by_lane = LANE_KEYS[q]
  if not by_lane then
    by_lane = {}
    LANE_KEYS[q] = by_lane
  end
  local key = by_lane[li]
  if not key then
    key = P .. "q:" .. q .. ":l" .. li
    by_lane[li] = key
  end
  return key
end

-- Pending effects, applied once by flush() at the end of a script.
local COUNTS = {} -- queue -> { ["<state letter><lane>"] = delta }
local WAKE = {} -- queue -> true
local WAKE_LIST = {}
local READY = {} -- queues that got waiting jobs (P.."ready")
local READY_LIST = {}
local LATER = {} -- CMD -> key -> { cmd, key, args }: variadic writes sent in chunks by flush()
local LATER_LIST = {}
local DELETES = {} -- keys deleted by flush(), after every other write
local DELETE_COUNT = 0 -- #DELETES (# on a table is a search)
local REGISTERED = {}
-- @load
local FLUSH_HOOKS = {} -- functions flush() runs first (libraries add theirs with on_flush)
-- @load
local SENT_HOOKS = {} -- functions flush() runs once the pending writes are sent

-- Runs fn at the start of flush() (a library's own pending effects).
local function on_flush(fn)
  FLUSH_HOOKS[#FLUSH_HOOKS + 1] = fn
end

-- Runs fn in flush() after the pending writes went out, before counters and deletions.
local function on_sent(fn)
  SENT_HOOKS[#SENT_HOOKS + 1] = fn
end

-- Queues a variadic write (ZADD key score member, ZREM/SADD/SREM/RPUSH/LPUSH key member) for
-- flush(), in call order. Only for keys the rest of the script does not read. The
-- members of one LPUSH keep their call order at the front of the list: the first ends first.
local function later(cmd, key, a, b)
  local by_key = LATER[cmd]
  if not by_key then
    by_key = {}
    LATER[cmd] = by_key
  end
  local entry = by_key[key]
  if not entry then
    entry = { cmd = cmd, key = key, args = {}, n = 0 } -- n: #args (# on a table is a search)
    by_key[key] = entry
    LATER_LIST[#LATER_LIST + 1] = entry
  end
  local args, n = entry.args, entry.n + 1
  args[n] = a
  if b ~= nil then
    n = n + 1
    args[n] = b
  end
  entry.n = n
end

-- Counter field names: state letter -> lane index (number or text) -> "<state><lane>", memoized
-- (a concatenation costs several table reads; a few dozen at most).
-- @load
local COUNT_FIELDS = {}

-- Adds delta to the counter of (state letter, lane index) of queue q. Waiting depth is the
-- length of the lane lists instead, so "w" is not counted.
local function count(q, state, li, delta)
  if state == "w" then return end
  local t = COUNTS[q]
  if not t then
    t = {}
    COUNTS[q] = t
  end
  local by_lane = COUNT_FIELDS[state]
  if not by_lane then
    by_lane = {}
    COUNT_FIELDS[state] = by_lane
  end
  local f = by_lane[li]
  if not f then
    f = state .. li
    by_lane[li] = f
  end
  t[f] = (t[f] or 0) + delta
end

-- Publishes P.."wake:"..q at flush (once per call).
local function wake(q)
  if not WAKE[q] then
    WAKE[q] = true
    WAKE_LIST[#WAKE_LIST + 1] = q
  end
end

-- Marks q as holding waiting jobs (P.."ready": the queues a reserve looks at) and wakes it.
local function ready(q)
  if not READY[q] then
    READY[q] = true
    READY_LIST[#READY_LIST + 1] = q
  end
  wake(q)
end

-- Adds q to the queue registry (score = creation order; queues are never removed).
local function register_queue(q)
  if REGISTERED[q] then return end
  REGISTERED[q] = true
  local key = P .. "queues"
  if not redis.call("ZSCORE", key, q) then
    redis.call("ZADD", key, redis.call("ZCARD", key) + 1, q)
  end
end

-- Takes member `id` out of a pending `cmd` write on `key` (see later); true when it was there.
local function unlater(cmd, key, id)
  local entry = LATER[cmd] and LATER[cmd][key]
  if not entry then return false end
  for i, a in ipairs(entry.args) do
    if a == id then
      table.remove(entry.args, i)
      entry.n = entry.n - 1
      return true
    end
  end
  return false
end

-- Deletes key at flush(), after the other pending writes.
local function delete_later(key)
  DELETE_COUNT = DELETE_COUNT + 1
  DELETES[DELETE_COUNT] = key
end

local function send_later()
  for _, entry in ipairs(LATER_LIST) do
    local args = entry.args
    if entry.cmd == "LPUSH" then
      local n = #args
      for i = 1, math.floor(n / 2) do args[i], args[n + 1 - i] = args[n + 1 - i], args[i] end
    end
    for i = 1, #args, 1000 do
      redis.call(entry.cmd, entry.key, unpack(args, i, math.min(i + 999, #args)))
    end
  end
  LATER, LATER_LIST = {}, {}
end

local function flush()
  for _, fn in ipairs(FLUSH_HOOKS) do fn() end
  send_later()
  for _, fn in ipairs(SENT_HOOKS) do fn() end
  for i = 1, DELETE_COUNT, 1000 do
    redis.call("DEL", unpack(DELETES, i, math.min(i + 999, DELETE_COUNT)))
  end
  for q, t in pairs(COUNTS) do
    local key = qkey(q, "counts")
    for f, d in pairs(t) do
      if d ~= 0 then redis.call("HINCRBY", key, f, itos(d)) end
    end
  end
  if #READY_LIST > 0 then redis.call("SADD", P .. "ready", unpack(READY_LIST)) end
  for _, q in ipairs(WAKE_LIST) do
    redis.call("PUBLISH", P .. "wake:" .. q, "1")
  end
end

-- s as a JSON string literal, as JSON.stringify writes it (for text without control characters,
-- such as job ids: cjson.encode would also escape "/").
local function json_string(s)
  return '"' .. (string.gsub(s, '[\\"]', '\\%0')) .. '"'
end

-- Reply framing: hot scripts return one bulk string of fields, each "<byte length>:<bytes>"
-- (ioredis parses one bulk string much faster than an array of many).
-- @load
local FRAME_HEAD = {} -- byte length -> its "<length>:" text, memoized (MEMO_MAX)
-- @load
local FRAME_HEAD_SIZE = 0

-- The "<length>:" head of text s.
local function frame_head(s)
  local len = #s
  local head = FRAME_HEAD[len]
  if head == nil then
    head = itos(len) .. ":"
    if FRAME_HEAD_SIZE >= MEMO_MAX then FRAME_HEAD, FRAME_HEAD_SIZE = {}, 0 end
    FRAME_HEAD[len] = head
    FRAME_HEAD_SIZE = FRAME_HEAD_SIZE + 1
  end
  return head
end

-- Appends s (nil: "") to parts, framed.
local function frame(parts, s)
  if not s then s = "" end
  local n = #parts
  parts[n + 1] = frame_head(s)
  parts[n + 2] = s
end

-- True when id a sorts before id b byte by byte (Lua's own < follows the server's locale).
local function id_before(a, b)
  for i = 1, math.min(#a, #b) do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then return x < y end
  end
  return #a < #b
end

-- Checks that ARGV from `first` on holds whole items of `width` fields.
local function check_items(first, width, what)
  if (#ARGV - first + 1) % width ~= 0 then
    error("sluice " .. what .. ": ARGV does not hold whole items of " .. width .. " fields")
  end
end
