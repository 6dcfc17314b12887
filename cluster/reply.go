package cluster

import (
	"errors"
	"fmt"

	"github.com/gryadka/gryadka/paxos"
)

// Errors of the Redis acceptor. They come wrapped with the node and key.
var (
	// ErrIdentityMismatch means the node refused to vote because it does
	// not hold the identity the proposer expects: it lost its data (a wiped
	// node must not vote) or it belongs to another cluster. It must be
	// re-added through the membership procedure.
	ErrIdentityMismatch = errors.New("cluster: node has no identity or another one: it was wiped or belongs to another cluster")

	// ErrCorruptState means the node holds acceptor state that does not
	// parse. The scripts leave it untouched: a person has to look.
	ErrCorruptState = errors.New("cluster: stored acceptor state is corrupt")

	// ErrBadArgument means the scripts refused a malformed ballot before
	// writing anything; it points at a bug in the caller.
	ErrBadArgument = errors.New("cluster: malformed request")

	// ErrBadReply means a script answered something the acceptor does not
	// understand: another program answers on that address, or a script of
	// another gryadka version ran.
	ErrBadReply = errors.New("cluster: unexpected reply from the acceptor script")
)

// replyContext is what a reply is decoded against: the request it answers.
type replyContext struct {
	phase    paxos.Phase
	node     string
	key      string
	ballot   paxos.Ballot
	identity string // required identity, "" when unchecked
}

// decodeReply turns a prepare.lua or accept.lua reply into a promise (for a
// prepare), nil (for an accept), a *paxos.ConflictError or one of the
// package's errors. It trusts nothing: a malformed reply is ErrBadReply.
func decodeReply(rc replyContext, reply any) (paxos.Promise, error) {
	var buf [4]string // the longest reply, a promise, needs no allocation
	parts, err := appendReplyStrings(buf[:0], reply)
	if err != nil {
		return paxos.Promise{}, rc.badReply(err.Error())
	}
	tag, args := parts[0], parts[1:]
	switch {
	case tag == replyPromise && rc.phase == paxos.PhasePrepare && len(args) == 3:
		return rc.promise(args[0], args[1], args[2])
	case tag == replyAccepted && rc.phase == paxos.PhaseAccept && len(args) == 0:
		return paxos.Promise{}, nil
	case tag == replyConflict && len(args) == 1:
		return paxos.Promise{}, rc.conflict(args[0])
	case tag == replyIdentity && len(args) == 1:
		return paxos.Promise{}, rc.identityRefusal(args[0])
	case tag == replyCorrupt && len(args) == 2:
		return paxos.Promise{}, fmt.Errorf("%s: key %q: %w: field %s: %s", rc.node, rc.key, ErrCorruptState, args[0], args[1])
	case tag == replyBadArg && len(args) == 2:
		return paxos.Promise{}, fmt.Errorf("%s: %s of key %q: %w: the script refused %s %q", rc.node, rc.phase, rc.key, ErrBadArgument, args[0], args[1])
	}
	return paxos.Promise{}, rc.badReply(fmt.Sprintf("%q with %d fields", tag, len(args)))
}

func (rc replyContext) promise(accepted, flag, value string) (paxos.Promise, error) {
	b, ok := parseWire(accepted)
	if !ok {
		return paxos.Promise{}, rc.badReply(fmt.Sprintf("malformed accepted ballot %q", accepted))
	}
	switch {
	case flag == "0" && value == "":
		return paxos.Promise{Accepted: b}, nil
	case flag == "1" && !b.IsZero():
		v := make([]byte, len(value))
		copy(v, value)
		return paxos.Promise{Accepted: b, Value: v}, nil
	}
	return paxos.Promise{}, rc.badReply(fmt.Sprintf("promise with value flag %q after ballot %s", flag, b))
}

func (rc replyContext) conflict(seen string) error {
	b, ok := parseWire(seen)
	if !ok {
		return rc.badReply(fmt.Sprintf("malformed ballot %q", seen))
	}
	// A prepare conflicts with a ballot at least its own, an accept only
	// with a higher one; anything else would make the proposer fast-forward
	// for nothing.
	if b.Less(rc.ballot) || (rc.phase == paxos.PhaseAccept && b == rc.ballot) {
		return rc.badReply(fmt.Sprintf("conflict with ballot %s, which does not exceed %s", b, rc.ballot))
	}
	return &paxos.ConflictError{Phase: rc.phase, Acceptor: rc.node, Proposed: rc.ballot, Seen: b}
}

func (rc replyContext) identityRefusal(have string) error {
	if have == "" {
		return fmt.Errorf("%s: refused %s of key %q: %w (it has none, want %q)", rc.node, rc.phase, rc.key, ErrIdentityMismatch, rc.identity)
	}
	return fmt.Errorf("%s: refused %s of key %q: %w (it has %q, want %q)", rc.node, rc.phase, rc.key, ErrIdentityMismatch, have, rc.identity)
}

func (rc replyContext) badReply(what string) error {
	return fmt.Errorf("%s: %s of key %q: %w: %s", rc.node, rc.phase, rc.key, ErrBadReply, what)
}

// parseWire parses a stored ballot, which must be in the Wire form the
// scripts write ("" for the zero ballot).
func parseWire(s string) (paxos.Ballot, bool) {
	b, err := paxos.ParseBallot(s)
	return b, err == nil && b.Wire() == s
}

// replyStrings checks that reply is a non-empty array of strings, the only
// shape the scripts return.
func replyStrings(reply any) ([]string, error) { return appendReplyStrings(nil, reply) }

// appendReplyStrings is replyStrings appending to parts.
func appendReplyStrings(parts []string, reply any) ([]string, error) {
	arr, ok := reply.([]any)
	if !ok {
		return nil, fmt.Errorf("got %T, want an array", reply)
	}
	if len(arr) == 0 {
		return nil, errors.New("empty array")
	}
	for i, v := range arr {
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("element %d is %T, want a string", i+1, v)
		}
		parts = append(parts, s)
	}
	return parts, nil
}
