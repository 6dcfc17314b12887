package paxos

import (
	"context"
)

// checkAge refuses a message whose proposer is older than the minimum age
// held for it. m.mu is held.
func (m *MemAcceptor) checkAge(ctx context.Context, b Ballot) error {
	min, ok := m.ages[b.Proposer]
	if !ok {
		return nil
	}
	if age := AgeFrom(ctx); age < min {
		return &AgeError{Acceptor: m.name, Proposer: b.Proposer, Age: age, MinAge: min}
	}
	return nil
}

// RaiseMinAge makes the acceptor refuse the messages of proposer (a
// ballot's proposer part, "p1.1f3a9c02") whose age is below age. A lower
// age than the one held changes nothing, so repeating it is harmless.
func (m *MemAcceptor) RaiseMinAge(ctx context.Context, proposer string, age uint64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.ages[proposer] = max(m.ages[proposer], age)
	return nil
}

// MinAges returns a copy of the minimum age held per proposer.
func (m *MemAcceptor) MinAges() map[string]uint64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make(map[string]uint64, len(m.ages))
	for p, a := range m.ages {
		out[p] = a
	}
	return out
}

// Remove forgets key if the acceptor still holds exactly what the garbage
// collector left: a value accepted under tombstone and no higher promise.
// It reports true when key is gone (now or before) and false, changing
// nothing, when the key was prepared or written since. When key is gone
// the acceptor's floor rises to tombstone (it never lowers): every later
// prepare or accept of any key under a lower ballot conflicts, with the
// floor as the ballot seen.
func (m *MemAcceptor) Remove(ctx context.Context, key string, tombstone Ballot) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.keys[key]
	if ok && !(s.Promise.IsZero() && s.Accepted.IsZero()) && (s.Accepted != tombstone || s.Promise != tombstone) {
		return false, nil
	}
	delete(m.keys, key)
	m.floor = MaxBallot(m.floor, tombstone)
	return true, nil
}

// Floor returns the acceptor's ballot floor, the zero ballot when none: no
// prepare or accept below it passes.
func (m *MemAcceptor) Floor() Ballot {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.floor
}

// ForgetFloor drops the ballot floor, as a node restored from a copy taken
// before a collection. Tests use it to show the lost update the floor
// prevents.
func (m *MemAcceptor) ForgetFloor() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.floor = Ballot{}
}
