-- deregister_node.lua: removes a node's record (graceful shutdown); its jobs are untouched.
--
-- KEYS[1]  namespace prefix P (other keys are built from it, see _lib.lua)
-- ARGV[1]  node id
--
-- Deletes P.."node:"..id and its entry in P.."nodes". Returns 1.

redis.call("DEL", P .. "node:" .. ARGV[1])
redis.call("ZREM", P .. "nodes", ARGV[1])
return 1
