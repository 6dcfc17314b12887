package cluster

import (
	_ "embed"

	"github.com/redis/go-redis/v9"
)

// The acceptor's Lua scripts. ballot.lua holds the helpers both phases
// share and is prepended to each, so every script is self-contained on the
// server. KEYS are storage keys; ballots and values travel in ARGV.
var (
	//go:embed lua/ballot.lua
	ballotLua string
	//go:embed lua/prepare.lua
	prepareLua string
	//go:embed lua/accept.lua
	acceptLua string
	//go:embed lua/remove.lua
	removeLua string
	//go:embed lua/min_age.lua
	minAgeLua string

	prepareScript = redis.NewScript(ballotLua + "\n" + prepareLua)
	acceptScript  = redis.NewScript(ballotLua + "\n" + acceptLua)
	// removeScript and minAgeScript are the garbage collector's
	// (acceptor_gc.go).
	removeScript = redis.NewScript(ballotLua + "\n" + removeLua)
	minAgeScript = redis.NewScript(ballotLua + "\n" + minAgeLua)

	// pingScript is the cheapest script round trip, the floor a phase
	// cannot beat.
	pingScript = redis.NewScript("return 1")
)

// Reply tags: the first element of every script reply.
const (
	replyPromise  = "promise"
	replyAccepted = "accepted"
	replyConflict = "conflict"
	replyIdentity = "identity"
	replyCorrupt  = "corrupt"
	replyBadArg   = "badarg"
	replyAge      = "age"
	replyRemoved  = "removed"
	replyGone     = "gone"
	replyChanged  = "changed"
	replyMinAge   = "minage"
)

// Field names of the per-key hash.
const (
	fieldPromise  = "promise"
	fieldAccepted = "accepted"
	fieldValue    = "value"
)

// valueArgs encodes a value as the flag and payload ARGV pair of
// accept.lua, keeping nil apart from an empty value.
func valueArgs(value []byte) (flag string, payload []byte) {
	if value == nil {
		return "0", []byte{}
	}
	return "1", value
}
