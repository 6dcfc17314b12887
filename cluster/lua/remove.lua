-- remove.lua: the garbage collector's last step, run atomically by Redis.
-- KEYS[1] the key's state hash, KEYS[2] the node's identity key, KEYS[3]
-- the node's ballot floor.
-- ARGV[1] the tombstone's ballot, ARGV[2] the identity to require ("" = no
-- check).
-- Deletes the key only if it still holds exactly what the collector left:
-- a value accepted under the tombstone's ballot and no higher promise. A
-- later prepare or accept means the key is in use again; its promise must
-- not be forgotten.
-- When the key is removed (or already gone) the floor rises to the
-- tombstone's ballot, never lowers: the node then refuses every ballot
-- below it, so a proposer the collector did not invalidate (started after
-- it, or unknown to it) cannot write under the tombstone where the key is
-- gone while another node still holds the tombstone.
-- Replies: {"removed"}, {"gone"} (nothing to remove), {"changed", promise,
-- accepted}, {"identity", have}, {"corrupt", field, detail},
-- {"badarg", name, raw}.

local refusal = check_identity(KEYS[2], ARGV[2])
if refusal then return refusal end

local b = ARGV[1]
if not valid_ballot(b) then return {"badarg", "ballot", b} end

local floor, err = load_floor(KEYS[3])
if err then return err end
local s
s, err = load_state(KEYS[1])
if err then return err end
local gone = s.promise == "" and s.accepted == ""
if not gone and (s.promise ~= b or s.accepted ~= b) then return {"changed", s.promise, s.accepted} end
if cmp(floor, b) < 0 then redis.call("SET", KEYS[3], b) end
if gone then return {"gone"} end
redis.call("DEL", KEYS[1])
return {"removed"}
