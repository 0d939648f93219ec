-- enqueue.lua: stores new jobs atomically (all or none), idempotent on job ids, with unique keys
-- and prerequisites. Mirrors src/store/memory/enqueue.ts.
-- uses: core observe limits leases jobs unique deps enqueue picker lease_reply reserve handoff
--
-- KEYS[1]  namespace prefix P (other keys are built from it, see _core.lua)
-- ARGV[1]  now (epoch ms, "" = Redis TIME)
-- ARGV[2]  store options (see read_opts() in _jobs.lua)
-- ARGV[3]  group sizes, comma separated (items per group, in order)
-- ARGV[4..] items of 7 fields, or 16 when the 7th is "+" (see _enqueue.lua): id, name, queue,
--           lane index (0..4), payload, maxAttempts, extras ("" none, "+" the 9 follow):
--           runAt (epoch ms, "" = none), delay (ms from now, "" = 0), backoff (JSON, "" =
--           none), prerequisite ids (newline separated, "" = none; jobs of this call come
--           earlier), failure policy ("" fail, "s" skip, "w" wait), unique key ("" = none),
--           unique scope (q, a, c or a window in ms), unique conflict ("" reject, "e" return
--           the existing job, "r" replace it), limit key ("" = its function has no limits)
--
-- Each group is stored all or none, in order, as if each were a call of its own (a later group
-- sees what an earlier one stored): a first pass decides the group's items and may refuse the
-- group, storing none of it:
--   { "E", "dup", item index in the group, key, holder id, holder state letter, reason } when a
--   unique key is held under "reject", or under "replace" by a job that is not queued;
--   { "E", "prereq", item index in the group, prerequisite } when a prerequisite is neither an
--   existing job nor an earlier job of the group.
-- Else it writes, and the group's reply is one framed string (see enqueue_items in
-- _enqueue.lua): "K" and two letters per item (created "1", "0" not, "2" not and sent to
-- another job by its unique key under "e" or "r"; its state letter), then the id of each "2"
-- item's job. A new job is due at runAt when given, else at now + delay. With
-- an open prerequisite it is blocked; with one that already failed under policy fail it is dead
-- at once; else delayed or waiting at the back of its lane. It raises its open ancestors to its
-- lane. Returns one reply per group, in order.
-- A queue that got waiting jobs is woken (P.."wake:"..q), unless a node registered idle for it
-- (_handoff.lua) was leased them: the leases are published on its channel P.."ho:"..node instead.
-- Idempotent: a replayed call finds its jobs and stores nothing (created "0").

set_now(ARGV[1])
local keep = read_opts(ARGV[2])
local starts = check_enqueue_items(4)
-- the group sizes are checked before anything is stored: a script's writes are not undone when
-- it fails
local sizes, total = {}, 0
for size in string.gmatch(ARGV[3], "%d+") do
  sizes[#sizes + 1] = tonumber(size)
  total = total + sizes[#sizes]
end
if total > #starts then error("sluice enqueue: group sizes exceed the items") end
if total < #starts then error("sluice enqueue: items beyond the group sizes") end
-- With several groups (concurrent single enqueues sharing the call), one EXISTS over all the
-- call's jobs first: when none names a job yet, only this call can create them, and `made` tracks
-- which it did, so no group checks again, and a group of one plain item takes enqueue_one's short
-- way. A call of one group (a bulk) checks its ids itself, keeping no such table.
local keys, made = {}, nil
if #sizes > 1 then
  for n = 1, #starts do keys[n] = job_key(ARGV[starts[n]]) end
  if not any_exists(keys, 1, #starts) then made = {} end
end
local replies, from = {}, 1
for _, size in ipairs(sizes) do
  local i = starts[from]
  if made and size == 1 and ARGV[i + 6] == "" then
    replies[#replies + 1] = enqueue_one(i, keys[from], keep, made)
  else
    replies[#replies + 1] = (enqueue_items(starts, from, from + size - 1, keep, keys, made))
  end
  from = from + size
end
hand_off_woken()
flush()
return replies
