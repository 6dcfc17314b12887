package paxos

import (
	"errors"
	"fmt"
)

// ErrNoQuorum means too few acceptors answered a phase in time: the
// missing ones were down, cut off, slow or failing.
var ErrNoQuorum = errors.New("paxos: quorum not reached")

// ErrBallotsExhausted means the proposer's ballot counter reached 2^64-1,
// which only a ballot that high seen at an acceptor can cause: issuing
// more would reuse ballots. Restart the proposer under another ID.
var ErrBallotsExhausted = errors.New("paxos: ballot counter exhausted")

// ErrUnsafeConfig is wrapped by Config.Validate when some prepare quorum
// could miss some accept quorum.
var ErrUnsafeConfig = errors.New("paxos: quorums do not intersect")

// ChangeError is why a change did not commit. Err is the cause: a
// *ConflictError when an acceptor had seen a higher ballot, ErrNoQuorum, or
// the context's error.
//
// Indefinite tells whether the outcome is unknown. A change that failed
// before any accept was sent is definite: nothing changed. Once an accept
// may have reached an acceptor, the new value may still be chosen by a later
// round, and only a later read can tell.
type ChangeError struct {
	Key        string
	Phase      Phase
	Indefinite bool
	Err        error
}

func (e *ChangeError) Error() string {
	outcome := "nothing changed"
	if e.Indefinite {
		outcome = "outcome unknown"
	}
	return fmt.Sprintf("paxos: change of %q failed in %s phase (%s): %v", e.Key, e.Phase, outcome, e.Err)
}

func (e *ChangeError) Unwrap() error { return e.Err }

// RefusedError is returned when the update function refused the state, for
// example a compare-and-set on a stale version. The round still committed,
// writing the current State back unchanged, so the refusal is definite.
type RefusedError struct {
	Key   string
	State []byte
	Err   error
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("paxos: update of %q refused: %v", e.Key, e.Err)
}

func (e *RefusedError) Unwrap() error { return e.Err }

// IsIndefinite reports whether err leaves the outcome of a change unknown.
func IsIndefinite(err error) bool {
	var ce *ChangeError
	return errors.As(err, &ce) && ce.Indefinite
}

// IsConflict reports whether err comes from an acceptor that had seen a
// higher ballot. The proposer has already fast-forwarded its counter past
// it, so a retry has a fresh chance.
func IsConflict(err error) bool {
	var ce *ConflictError
	return errors.As(err, &ce)
}
