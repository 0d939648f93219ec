-- configure.lua: changes a queue's lane configuration (registers the queue, wakes its workers).
-- uses: core
--
-- KEYS[1]  namespace prefix P (queue keys are built from it, see _core.lua)
-- ARGV[1]  queue name
-- ARGV[2..10]  w0..w4, strict ("1"/"0"), aging ms (-1 = off), rate limit rmax, rdur ("0":
--              none); "" keeps the current value
--
-- Returns the stored fields w0..w4, strict, aging, rmax, rdur (nil where never set: the caller applies the
-- defaults).
-- Idempotent: the same call twice leaves the same configuration.

local q = ARGV[1]
local meta = qkey(q, "meta")
local names = { "w0", "w1", "w2", "w3", "w4", "strict", "aging", "rmax", "rdur" }
local set = {}
for i, name in ipairs(names) do
  if ARGV[i + 1] ~= "" then
    set[#set + 1] = name
    set[#set + 1] = ARGV[i + 1]
  end
end
register_queue(q)
if #set > 0 then redis.call("HSET", meta, unpack(set)) end
wake(q)
flush()
return redis.call("HMGET", meta, unpack(names))
