-- min_age.lua: raise the minimum age of one proposer, run atomically.
-- KEYS[1] the minimum age per proposer, KEYS[2] the node's identity key.
-- ARGV[1] the proposer (a ballot's proposer part), ARGV[2] the age,
-- ARGV[3] the identity to require ("" = no check).
-- The minimum only rises: a lower age changes nothing.
-- Replies: {"minage", min} (the minimum now held), {"identity", have},
-- {"corrupt", field, detail}, {"badarg", name, raw}.

local refusal = check_identity(KEYS[2], ARGV[3])
if refusal then return refusal end

local proposer, age = ARGV[1], ARGV[2]
if not valid_ballot("00000000000000000001:" .. proposer) then return {"badarg", "proposer", proposer} end
if not valid_age(age) then return {"badarg", "age", age} end

local min = redis.pcall("HGET", KEYS[1], proposer)
if type(min) == "table" and min.err then return {"corrupt", "ages", min.err} end
if min and not valid_age(min) then return {"corrupt", "ages", "minimum age " .. min} end
if min and not age_less(min, age) then return {"minage", min} end
redis.call("HSET", KEYS[1], proposer, age)
return {"minage", age}
