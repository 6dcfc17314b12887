-- accept.lua: CASPaxos accept, run atomically by Redis.
-- KEYS[1] the key's state hash, KEYS[2] the node's identity key, KEYS[3]
-- the minimum age per proposer, KEYS[4] the node's ballot floor.
-- ARGV[1] the ballot, ARGV[2] the next ballot to promise ("" = none),
-- ARGV[3] "1" when ARGV[4] holds the value, "0" for the nil value,
-- ARGV[5] the identity to require ("" = no check), ARGV[6] the proposer's
-- age.
-- Replies: {"accepted"}, {"conflict", seen}, {"identity", have}, {"age", min},
-- {"corrupt", field, detail}, {"badarg", name, raw}. Nothing is written
-- before every check has passed.

local refusal = check_identity(KEYS[2], ARGV[5])
if refusal then return refusal end

local b, nxt, has_value = ARGV[1], ARGV[2], ARGV[3]
if not valid_ballot(b) then return {"badarg", "ballot", b} end
if nxt ~= "" and not valid_ballot(nxt) then return {"badarg", "next", nxt} end
if has_value ~= "0" and has_value ~= "1" then return {"badarg", "value flag", has_value} end
refusal = check_age(KEYS[3], b, ARGV[6])
if refusal then return refusal end

local floor, err = load_floor(KEYS[4])
if err then return err end
local s
s, err = load_state(KEYS[1])
if err then return err end

-- From the paper: "an acceptor returns a conflict if it already saw a
-- greater ballot number" (Accept step 2). An equal ballot is a duplicate.
-- A ballot below the floor conflicts too, as in prepare.lua.
if cmp(b, s.promise) < 0 or cmp(b, floor) < 0 then
  return {"conflict", max_ballot(s.promise, floor)}
end

local promise = b
if cmp(nxt, b) > 0 then promise = nxt end
if has_value == "1" then
  redis.call("HSET", KEYS[1], "promise", promise, "accepted", b, "value", ARGV[4])
else
  redis.call("HSET", KEYS[1], "promise", promise, "accepted", b)
  redis.call("HDEL", KEYS[1], "value")
end
return {"accepted"}
