-- reap_dead_nodes.lua: leader only. Removes nodes whose record expired and reclaims all their
-- active jobs at once, as reclaim_expired.lua does for expired leases.
--
-- KEYS[1]  namespace prefix P (other keys are built from it, see _lib.lua)
-- ARGV[1]  now (epoch ms)
-- ARGV[2]  retention "keepFinished,keepDead" (see read_keep() in _lib.lua)
-- ARGV[3]  leader token
-- ARGV[4]  leader epoch
-- ARGV[5..7]  the stalled-error JSON in three parts (as in reclaim_expired.lua)
--
-- Fenced: unless (token, epoch) is the current, unlapsed lease (leader_is() in _lib.lua),
-- returns { 5 NOT_LEADER, {}, {}, {} } and changes nothing. Dead nodes: P.."nodes" members with
-- expiresAt <= now. Their jobs are found by scanning the active zset of every queue (reaps are
-- rare; no per-node index burdens the hot path) for jobs whose worker is a dead node; each goes
-- through stall() in _lib.lua (started and prefetched alike). Then each dead node's record is
-- deleted. Returns { 0 OK, node ids (expiry order), requeued ids, dead ids (cancelled
-- included) }.

set_now(ARGV[1])
local keep = read_keep(ARGV[2])
if not leader_is(ARGV[3], ARGV[4]) then return { 5, {}, {}, {} } end
local err = { ARGV[5], ARGV[6], ARGV[7] }
local nodes = redis.call("ZRANGEBYSCORE", P .. "nodes", "-inf", NOW_S)
local requeued, dead = {}, {}
if #nodes > 0 then
  local is_dead = {}
  for _, node in ipairs(nodes) do is_dead[node] = true end
  for _, q in ipairs(redis.call("ZRANGE", P .. "queues", 0, -1)) do
    for _, id in ipairs(redis.call("ZRANGE", qkey(q, "active"), 0, -1)) do
      local worker = redis.call("HGET", job_key(id), "worker")
      if worker and is_dead[worker] then
        if stall(q, id, keep, err) then
          requeued[#requeued + 1] = id
        else
          dead[#dead + 1] = id
        end
      end
    end
  end
  for _, node in ipairs(nodes) do redis.call("DEL", P .. "node:" .. node) end
  redis.call("ZREMRANGEBYSCORE", P .. "nodes", "-inf", NOW_S)
end
flush()
return { 0, nodes, requeued, dead }
