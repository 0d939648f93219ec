-- enqueue.lua: stores new jobs atomically (all or none), idempotent on job ids, with unique keys
-- and prerequisites. Mirrors src/store/memory/enqueue.ts.
-- uses: core observe limits jobs unique deps enqueue
--
-- KEYS[1]  namespace prefix P (other keys are built from it, see _core.lua)
-- ARGV[1]  now (epoch ms, "" = Redis TIME)
-- ARGV[2]  store options (see read_opts() in _jobs.lua)
-- ARGV[3..] items of 15 fields: id, name, queue, lane index (0..4), payload, runAt (epoch ms,
--           "" = none), delay (ms from now, "" = 0), maxAttempts, backoff (JSON, "" = none),
--           prerequisite ids (newline separated, "" = none; jobs of this call come earlier),
--           failure policy ("" fail, "s" skip, "w" wait), unique key ("" = none), unique
--           scope (q, a, c or a window in ms), unique conflict ("" reject, "e" return the
--           existing job, "r" replace it), limit key ("" = its function has no limits)
--
-- A first pass decides every item and may refuse the whole call, storing nothing:
--   { "E", "dup", item index, key, holder id, holder state letter, reason } when a unique key is
--   held under "reject", or under "replace" by a job that is not queued;
--   { "E", "prereq", item index, prerequisite } when a prerequisite is neither an existing job
--   nor an earlier job of the call.
-- Then it writes, and returns one framed string (see frame() in _core.lua): "K", then 3 fields
-- per item: the job id (the existing job's under "e" and "r"), created ("1" new, "0" not), its
-- state letter. A new job is due at runAt when given, else at now + delay. With an open
-- prerequisite it is blocked; with one that already failed under policy fail it is dead at once;
-- else delayed or waiting at the back of its lane. It raises its open ancestors to its lane.
-- Idempotent: a replayed call finds its jobs and stores nothing (created "0").

set_now(ARGV[1])
local keep = read_opts(ARGV[2])
local reply = enqueue_items(3, keep)
flush()
return reply
