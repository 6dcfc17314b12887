package paxos

import (
	"bytes"
	"context"
	"sync"
)

// MemAcceptor is an Acceptor that keeps its state in memory, with the same
// rules as the Redis acceptor. It is for tests, demos and differential
// fuzzing.
type MemAcceptor struct {
	name string

	mu   sync.Mutex
	keys map[string]*MemState
	ages map[string]uint64 // minimum age per ballot proposer (memacceptor_gc.go)
	// floor is the ballot below which nothing passes, raised by Remove
	// (memacceptor_gc.go).
	floor Ballot
}

// MemState is what an acceptor remembers about one key.
type MemState struct {
	Promise  Ballot
	Accepted Ballot
	Value    []byte
}

var _ Acceptor = (*MemAcceptor)(nil)

// NewMemAcceptor returns an empty acceptor called name.
func NewMemAcceptor(name string) *MemAcceptor {
	return &MemAcceptor{name: name, keys: map[string]*MemState{}, ages: map[string]uint64{}}
}

// Name implements Acceptor.
func (m *MemAcceptor) Name() string { return m.name }

// Prepare implements Acceptor.
func (m *MemAcceptor) Prepare(ctx context.Context, key string, b Ballot) (Promise, error) {
	if err := ctx.Err(); err != nil {
		return Promise{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.checkAge(ctx, b); err != nil {
		return Promise{}, err
	}
	s := m.state(key)
	// From the paper: "an acceptor returns a conflict if it already saw a
	// greater ballot number" (Prepare step 2). A ballot below the floor
	// conflicts too: the key may have been removed after a tombstone.
	if seen := MaxBallot(s.Promise, s.Accepted); !seen.Less(b) || b.Less(m.floor) {
		return Promise{}, &ConflictError{Phase: PhasePrepare, Acceptor: m.name, Proposed: b, Seen: MaxBallot(seen, m.floor)}
	}
	s.Promise = b
	return Promise{Accepted: s.Accepted, Value: bytes.Clone(s.Value)}, nil
}

// Accept implements Acceptor.
func (m *MemAcceptor) Accept(ctx context.Context, key string, b Ballot, value []byte, next Ballot) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.checkAge(ctx, b); err != nil {
		return err
	}
	s := m.state(key)
	// From the paper: "an acceptor returns a conflict if it already saw a
	// greater ballot number" (Accept step 2). A ballot below the floor
	// conflicts too, as in Prepare.
	if seen := MaxBallot(s.Promise, s.Accepted); b.Less(seen) || b.Less(m.floor) {
		return &ConflictError{Phase: PhaseAccept, Acceptor: m.name, Proposed: b, Seen: MaxBallot(seen, m.floor)}
	}
	s.Accepted, s.Value, s.Promise = b, bytes.Clone(value), MaxBallot(b, next)
	return nil
}

// State returns a copy of what the acceptor holds for key.
func (m *MemAcceptor) State(key string) MemState {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.keys[key]
	if s == nil {
		return MemState{}
	}
	return MemState{Promise: s.Promise, Accepted: s.Accepted, Value: bytes.Clone(s.Value)}
}

// Wipe forgets every key, as a node that lost its disk.
func (m *MemAcceptor) Wipe() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.keys = map[string]*MemState{}
}

func (m *MemAcceptor) state(key string) *MemState {
	s := m.keys[key]
	if s == nil {
		s = &MemState{}
		m.keys[key] = s
	}
	return s
}
