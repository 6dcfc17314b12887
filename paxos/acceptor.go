package paxos

import (
	"context"
	"fmt"
)

// Phase names the two phases of a CASPaxos round.
type Phase uint8

// The phases of a round.
const (
	PhasePrepare Phase = iota + 1
	PhaseAccept
)

// String returns "prepare" or "accept".
func (p Phase) String() string {
	switch p {
	case PhasePrepare:
		return "prepare"
	case PhaseAccept:
		return "accept"
	}
	return fmt.Sprintf("Phase(%d)", uint8(p))
}

// MarshalText implements encoding.TextMarshaler: "prepare" or "accept".
func (p Phase) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (p *Phase) UnmarshalText(text []byte) error {
	switch string(text) {
	case "prepare":
		*p = PhasePrepare
	case "accept":
		*p = PhaseAccept
	default:
		return fmt.Errorf("paxos: unknown phase %q: want prepare or accept", text)
	}
	return nil
}

// Promise is an acceptor's answer to a successful prepare: the ballot it
// last accepted for the key and the value accepted with it. A zero Accepted
// ballot means the acceptor has accepted nothing, and Value is nil.
type Promise struct {
	Accepted Ballot
	Value    []byte
}

// Acceptor is one voter of the protocol. Implementations must apply each
// call atomically and durably before answering: a promise or acceptance
// that is forgotten after an answer breaks safety.
//
// Both methods are called concurrently by many proposers and may block
// until ctx is done. A *ConflictError means the acceptor refused because it
// has seen a higher ballot and changed nothing; any other error means the
// vote is missing and the state may or may not have changed.
type Acceptor interface {
	// Name identifies the acceptor in configurations and traces ("a1").
	Name() string

	// Prepare promises to ignore ballots below b and returns what the
	// acceptor has accepted for key. It fails with a *ConflictError unless b
	// is above both the acceptor's promise and its accepted ballot.
	Prepare(ctx context.Context, key string, b Ballot) (Promise, error)

	// Accept stores value as accepted under b, unless the acceptor promised
	// or accepted a higher ballot (then *ConflictError). Accepting the same
	// ballot twice is allowed (a duplicated message). When next is above b,
	// the acceptor also promises next: the one-round-trip optimization, in
	// which this accept doubles as the prepare of the following change.
	Accept(ctx context.Context, key string, b Ballot, value []byte, next Ballot) error
}

// ConflictError is an acceptor's refusal: it has seen ballot Seen, which is
// at least the Proposed one. The acceptor's state did not change.
type ConflictError struct {
	Phase    Phase
	Acceptor string
	Proposed Ballot
	Seen     Ballot
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("paxos: %s %s refused by %s: it has seen ballot %s", e.Phase, e.Proposed, e.Acceptor, e.Seen)
}
