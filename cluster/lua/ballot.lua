-- ballot.lua: shared helpers, prepended to prepare.lua and accept.lua.
--
-- A ballot is stored in paxos.Ballot.Wire form: a 20-digit zero-padded
-- counter, ":", then the proposer ("p1" or "p1.inc"). The zero ballot is
-- the empty string. Ballots are compared byte by byte: for fixed-width
-- counters byte order is number order, and the proposer parts then compare
-- as Go compares strings. Lua's own string "<" is not used, because Redis
-- compares with strcoll, which depends on the locale.

local MAX_COUNTER = "18446744073709551615"

-- cmp returns -1, 0 or 1 as a orders before, equal to or after b.
local function cmp(a, b)
  if a == b then return 0 end
  local n = math.min(#a, #b)
  for i = 1, n do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then
      if x < y then return -1 end
      return 1
    end
  end
  if #a < #b then return -1 end
  return 1
end

local function valid_part(s)
  return #s >= 1 and #s <= 32 and string.find(s, "^[A-Za-z0-9_%-]+$") ~= nil
end

-- valid_ballot reports whether w is a non-zero ballot in wire form, with
-- the same rules as paxos.ParseBallot.
local function valid_ballot(w)
  if type(w) ~= "string" or #w < 22 or string.sub(w, 21, 21) ~= ":" then return false end
  local counter = string.sub(w, 1, 20)
  if string.find(counter, "^[0-9]+$") == nil then return false end
  if counter == "00000000000000000000" or cmp(counter, MAX_COUNTER) > 0 then return false end
  local proposer = string.sub(w, 22)
  local dot = string.find(proposer, ".", 1, true)
  if dot == nil then return valid_part(proposer) end
  return valid_part(string.sub(proposer, 1, dot - 1)) and valid_part(string.sub(proposer, dot + 1))
end

-- check_identity returns a refusal unless the node's identity is want;
-- an empty want disables the check.
local function check_identity(key, want)
  if want == "" then return nil end
  local have = redis.pcall("GET", key)
  if type(have) == "table" and have.err then return {"corrupt", "identity", have.err} end
  if have ~= want then return {"identity", have or ""} end
  return nil
end

-- load_state reads the acceptor state of one key, or returns a corruption
-- reply. value is false when the state is nil.
local function load_state(key)
  local r = redis.pcall("HMGET", key, "promise", "accepted", "value")
  if r.err then return nil, {"corrupt", "type", r.err} end
  local s = {promise = r[1] or "", accepted = r[2] or "", value = r[3]}
  if s.promise ~= "" and not valid_ballot(s.promise) then
    return nil, {"corrupt", "promise", s.promise}
  end
  if s.accepted ~= "" and not valid_ballot(s.accepted) then
    return nil, {"corrupt", "accepted", s.accepted}
  end
  if s.value and s.accepted == "" then
    return nil, {"corrupt", "value", "a value without an accepted ballot"}
  end
  if cmp(s.promise, s.accepted) < 0 then
    return nil, {"corrupt", "promise", "promise " .. s.promise .. " is below accepted " .. s.accepted}
  end
  return s, nil
end

-- valid_age reports whether s is an age: a decimal number without leading
-- zeros, at most 20 digits.
local function valid_age(s)
  return type(s) == "string" and #s <= 20 and (s == "0" or string.find(s, "^[1-9][0-9]*$") ~= nil)
end

-- age_less compares two valid ages as numbers, exactly.
local function age_less(a, b)
  if #a ~= #b then return #a < #b end
  return cmp(a, b) < 0
end

-- check_age returns a refusal when the ballot's proposer is older than the
-- minimum age the hash key holds for it (the garbage collector's fence).
local function check_age(key, b, age)
  if not valid_age(age) then return {"badarg", "age", age} end
  local min = redis.pcall("HGET", key, string.sub(b, 22))
  if type(min) == "table" and min.err then return {"corrupt", "ages", min.err} end
  if not min then return nil end
  if not valid_age(min) then return {"corrupt", "ages", "minimum age " .. min} end
  if age_less(age, min) then return {"age", min} end
  return nil
end

-- load_floor returns the node's ballot floor ("" when none) or a
-- corruption reply. The garbage collector raises the floor to the
-- tombstone's ballot when it removes a key (remove.lua); prepare and
-- accept refuse every ballot below it, on every key.
local function load_floor(key)
  local f = redis.pcall("GET", key)
  if type(f) == "table" and f.err then return nil, {"corrupt", "floor", f.err} end
  if not f then return "", nil end
  if not valid_ballot(f) then return nil, {"corrupt", "floor", f} end
  return f, nil
end

-- max_ballot returns the greater of two ballots in wire form.
local function max_ballot(a, b)
  if cmp(a, b) < 0 then return b end
  return a
end
