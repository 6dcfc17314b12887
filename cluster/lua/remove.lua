-- remove.lua: the garbage collector's last step, run atomically by Redis.
-- KEYS[1] the key's state hash, KEYS[2] the node's identity key.
-- ARGV[1] the tombstone's ballot, ARGV[2] the identity to require ("" = no
-- check).
-- Deletes the key only if it still holds exactly what the collector left:
-- a value accepted under the tombstone's ballot and no higher promise. A
-- later prepare or accept means the key is in use again; its promise must
-- not be forgotten.
-- Replies: {"removed"}, {"gone"} (nothing to remove), {"changed", promise,
-- accepted}, {"identity", have}, {"corrupt", field, detail},
-- {"badarg", name, raw}.

local refusal = check_identity(KEYS[2], ARGV[2])
if refusal then return refusal end

local b = ARGV[1]
if not valid_ballot(b) then return {"badarg", "ballot", b} end

local s, err = load_state(KEYS[1])
if err then return err end
if s.promise == "" and s.accepted == "" then return {"gone"} end
if s.promise ~= b or s.accepted ~= b then return {"changed", s.promise, s.accepted} end
redis.call("DEL", KEYS[1])
return {"removed"}
