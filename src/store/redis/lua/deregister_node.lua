-- deregister_node.lua: removes a node's record (graceful shutdown); its jobs are untouched.
-- uses: core
--
-- KEYS[1]  namespace prefix P (other keys are built from it, see _core.lua)
-- ARGV[1]  node id
--
-- Deletes P.."node:"..id, its entry in P.."nodes" and its replay marker P.."call:"..id. Returns
-- 1. Idempotent.

redis.call("DEL", P .. "node:" .. ARGV[1], P .. "call:" .. ARGV[1])
redis.call("ZREM", P .. "nodes", ARGV[1])
return 1
