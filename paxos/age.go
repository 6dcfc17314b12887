package paxos

import (
	"context"
	"errors"
	"fmt"
)

// Ages fence off a proposer's old messages. From the paper's deletion
// section: each proposer has an age, acceptors remember the minimum age of
// each proposer and reject messages from older ones, and the garbage
// collector raises every proposer's age, then the acceptors' minimum,
// before it removes a key. A message that was sent before the raise and
// delayed in the network can then no longer reach a key that was removed.
//
// The age travels in the context of each message rather than in the
// Acceptor interface: acceptors that know no ages (MemAcceptor without a
// minimum, middleware, test doubles) pass it on untouched, and a message
// held back by a faulty network keeps the age it was sent with. A proposer
// of age 0 attaches nothing, so the common path allocates nothing extra.

// ErrTooOld is wrapped by AgeError.
var ErrTooOld = errors.New("paxos: proposer is too old")

// AgeError is an acceptor's refusal of a message whose proposer is older
// than the minimum age the acceptor holds for it: the garbage collector has
// fenced the proposer off. The acceptor changed nothing. The proposer's
// later changes carry its raised age and pass, so a retry works; a
// proposer whose age was not raised (a process the collector does not
// know) keeps failing and must be restarted.
type AgeError struct {
	Acceptor string
	Proposer string // the ballot's proposer part, "p1.1f3a9c02"
	Age      uint64 // the age the message carried
	MinAge   uint64 // the acceptor's minimum for Proposer
}

func (e *AgeError) Error() string {
	return fmt.Sprintf("paxos: proposer %s is too old (age %d < %d at %s): the garbage collector fenced off "+
		"what it sent before a collection; retry, and restart the proposer if this persists",
		e.Proposer, e.Age, e.MinAge, e.Acceptor)
}

// Unwrap returns ErrTooOld.
func (e *AgeError) Unwrap() error { return ErrTooOld }

// IsTooOld reports whether err is an acceptor's refusal by age.
func IsTooOld(err error) bool { return errors.Is(err, ErrTooOld) }

type ageKey struct{}

// WithAge returns ctx carrying a proposer's age, for the acceptors to
// check. The proposer does this for every message; age 0 returns ctx.
func WithAge(ctx context.Context, age uint64) context.Context {
	if age == 0 {
		return ctx
	}
	return context.WithValue(ctx, ageKey{}, age)
}

// AgeFrom returns the age a message's context carries, 0 when none.
func AgeFrom(ctx context.Context) uint64 {
	age, _ := ctx.Value(ageKey{}).(uint64)
	return age
}

// Age returns the proposer's age.
func (p *Proposer) Age() uint64 { return p.age.Load() }

// RaiseAge adds one to the proposer's age and returns the new age. Rounds
// that started before keep the old age: once the acceptors hold the new
// minimum, their messages are refused with an *AgeError.
func (p *Proposer) RaiseAge() uint64 { return p.age.Add(1) }

// Invalidate prepares the proposer for the removal of key, whose tombstone
// every acceptor accepted under ballot past: it moves the counter past
// past, so every later ballot beats the tombstone, and drops key's cached
// state, so the next change of key prepares.
//
// A round running during Invalidate may still cache the key when it ends;
// so Invalidate also starts a new cache generation (as SetConfig does), and
// every entry cached by a round that loaded the old one is ignored. This
// costs the other keys one extra round trip, once per collected key.
func (p *Proposer) Invalidate(key string, past Ballot) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if past.Counter > p.counter {
		p.counter = past.Counter
	}
	cur := p.config.Load()
	p.config.Store(&configGen{Config: cur.Config, gen: cur.gen + 1})
	p.cache.Remove(key)
}
