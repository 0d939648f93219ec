-- reap_dead_nodes.lua: leader only. Removes nodes whose record expired and reclaims all their
-- leased jobs at once, as reclaim_expired.lua does for expired leases: O(jobs of the dead
-- nodes), from their held sets (held_key in _leases.lua).
-- uses: core observe limits leases jobs unique deps leader
--
-- KEYS[1]  namespace prefix P (other keys are built from it, see _core.lua)
-- ARGV[1]  now (epoch ms, "" = Redis TIME)
-- ARGV[2]  store options (see read_opts() in _jobs.lua)
-- ARGV[3]  leader token
-- ARGV[4]  leader epoch
-- ARGV[5..7]  the stalled-error JSON in three parts (as in reclaim_expired.lua)
--
-- Fenced: unless (token, epoch) is the current, unlapsed lease (leader_is() in _leader.lua),
-- returns { 5 NOT_LEADER, {}, {}, {} } and changes nothing. Dead nodes: P.."nodes" members with
-- expiresAt <= now. Each of their jobs goes through stall() in _jobs.lua (started and
-- prefetched alike); then their records and sets are deleted. Returns { 0 OK, node ids (expiry
-- order), requeued ids, dead ids (cancelled included) }. Safe to run twice.

set_now(ARGV[1])
local keep = read_opts(ARGV[2])
if not leader_is(ARGV[3], ARGV[4]) then return { 5, {}, {}, {} } end
local err = { ARGV[5], ARGV[6], ARGV[7] }
local nodes = redis.call("ZRANGEBYSCORE", P .. "nodes", "-inf", NOW_S)
local requeued, dead = {}, {}
for _, node in ipairs(nodes) do
  for _, id in ipairs(held_ids(node)) do
    if not held_now(id, node) then -- taken out of the node's hands by a build of the other kind
    elseif stall(id, keep, err) then
      requeued[#requeued + 1] = id
    else
      dead[#dead + 1] = id
    end
  end
end
flush()
for _, node in ipairs(nodes) do
  redis.call("DEL", P .. "node:" .. node, held_key(node), P .. "held:" .. node, P .. "call:" .. node)
  redis.call("ZREM", P .. "nodes", node)
end
return { 0, nodes, requeued, dead }
