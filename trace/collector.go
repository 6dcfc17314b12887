package trace

import (
	"slices"
	"sync"

	"github.com/gryadka/gryadka/paxos"
)

// Collector is a paxos.Tracer that keeps every event, in the order Trace
// was called. It never drops and never blocks for long, which makes it the
// tracer of tests and of one-shot commands. It is safe for concurrent use;
// its zero value is ready.
type Collector struct {
	mu     sync.Mutex
	events []paxos.Event
}

var _ paxos.Tracer = (*Collector)(nil)

// Enabled implements paxos.Tracer: a collector always listens.
func (c *Collector) Enabled() bool { return true }

// Trace implements paxos.Tracer.
func (c *Collector) Trace(e paxos.Event) {
	c.mu.Lock()
	c.events = append(c.events, e)
	c.mu.Unlock()
}

// Events returns a copy of the events collected so far.
func (c *Collector) Events() []paxos.Event {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.events)
}

// Records returns the events collected so far as records numbered from 1,
// ready for Format and Sequence.
func (c *Collector) Records() []Record {
	events := c.Events()
	out := make([]Record, len(events))
	for i, e := range events {
		out[i] = Record{Seq: uint64(i + 1), Event: e}
	}
	return out
}
