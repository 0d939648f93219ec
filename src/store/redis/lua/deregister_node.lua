-- deregister_node.lua: removes a node's record (graceful shutdown); its jobs are untouched.
-- uses: core
--
-- KEYS[1]  namespace prefix P (other keys are built from it, see _core.lua)
-- ARGV[1]  node id
--
-- Deletes P.."node:"..id, its entry in P.."nodes", its replay marker P.."call:"..id and its held
-- set (P.."hs:"..id, and P.."held:"..id from older builds): a job it still holds stays leased
-- in P.."leases" and is reclaimed when its lease expires. Returns 1. Idempotent.

local node = ARGV[1]
redis.call("DEL", P .. "node:" .. node, P .. "call:" .. node, P .. "hs:" .. node, P .. "held:" .. node)
redis.call("ZREM", P .. "nodes", node)
return 1
