package bench

import (
	"sync/atomic"

	"github.com/gryadka/gryadka/paxos"
)

// RoundCounter is a paxos.Tracer that only counts the phases proposers run:
// every prepare or accept phase ends with one QuorumDecided event, won or
// lost, and costs one round trip. Trace takes no lock and allocates
// nothing. Its zero value is ready; it is safe for concurrent use.
type RoundCounter struct {
	prepare, accept atomic.Uint64
}

var _ paxos.Tracer = (*RoundCounter)(nil)

// Enabled implements paxos.Tracer: a counter always listens.
func (c *RoundCounter) Enabled() bool { return true }

// Trace implements paxos.Tracer.
func (c *RoundCounter) Trace(e paxos.Event) {
	q, ok := e.(paxos.QuorumDecided)
	if !ok {
		return
	}
	switch q.Phase {
	case paxos.PhasePrepare:
		c.prepare.Add(1)
	case paxos.PhaseAccept:
		c.accept.Add(1)
	}
}

// Rounds returns the prepare and accept phases counted so far.
func (c *RoundCounter) Rounds() (prepare, accept uint64) {
	return c.prepare.Load(), c.accept.Load()
}
