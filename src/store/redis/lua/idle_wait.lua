-- idle_wait.lua: what an idle node needs to sleep (idle_answer in _idle.lua): how long until the
-- earliest delayed job of the given queues is due or a limit opens, and whether another node
-- holds prefetched jobs it might steal.
-- uses: core idle
--
-- KEYS[1]  namespace prefix P (queue keys are built from it, see _core.lua)
-- ARGV[1]  now (epoch ms, "" = Redis TIME)
-- ARGV[2]  the asking node
-- ARGV[3..] queue names
--
-- Returns "wait TAB stealable" (see idle_answer). Read-only.

set_now(ARGV[1])
return idle_answer({ unpack(ARGV, 3) }, ARGV[2])
