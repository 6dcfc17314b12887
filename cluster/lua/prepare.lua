-- prepare.lua: CASPaxos prepare, run atomically by Redis.
-- KEYS[1] the key's state hash, KEYS[2] the node's identity key, KEYS[3]
-- the minimum age per proposer, KEYS[4] the node's ballot floor.
-- ARGV[1] the ballot, ARGV[2] the identity to require ("" = no check),
-- ARGV[3] the proposer's age.
-- Replies: {"promise", accepted, "1", value} or {"promise", accepted, "0", ""}
-- (nil value), {"conflict", seen}, {"identity", have}, {"age", min},
-- {"corrupt", field, detail}, {"badarg", name, raw}. Nothing is written
-- before every check has passed.

local refusal = check_identity(KEYS[2], ARGV[2])
if refusal then return refusal end

local b = ARGV[1]
if not valid_ballot(b) then return {"badarg", "ballot", b} end
refusal = check_age(KEYS[3], b, ARGV[3])
if refusal then return refusal end

local floor, err = load_floor(KEYS[4])
if err then return err end
local s
s, err = load_state(KEYS[1])
if err then return err end

-- From the paper: "an acceptor returns a conflict if it already saw a
-- greater ballot number" (Prepare step 2). The promise is never below the
-- accepted ballot, so it is the greatest seen. A ballot below the floor
-- conflicts too: the key may have been removed after a tombstone there.
if cmp(b, s.promise) <= 0 or cmp(b, floor) < 0 then
  return {"conflict", max_ballot(s.promise, floor)}
end

redis.call("HSET", KEYS[1], "promise", b)
if s.value then return {"promise", s.accepted, "1", s.value} end
return {"promise", s.accepted, "0", ""}
