// Package trace delivers traced events to their readers: a bus that fans
// them out without blocking the proposer, a recorder that writes them as
// JSON lines and reads them back, and text formats for logs and charts.
package trace

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/gryadka/gryadka/paxos"
)

// Bus is a paxos.Tracer that fans events out to subscribers. Trace never
// blocks unless a Lossless subscriber is behind: an ordinary subscriber
// whose buffer is full loses the event, and the loss is counted. With no
// subscriber, Enabled is false and the proposer builds no events at all.
// A Bus is safe for concurrent use; its zero value is not, use NewBus.
type Bus struct {
	subs atomic.Pointer[[]*Sub] // copy-on-write snapshot, read without a lock

	order sync.Mutex // held by Trace, so records arrive in Seq order
	seq   uint64

	mu sync.Mutex // serializes changes to subs
}

var _ paxos.Tracer = (*Bus)(nil)

// NewBus returns a bus without subscribers.
func NewBus() *Bus {
	b := &Bus{}
	b.subs.Store(&[]*Sub{})
	return b
}

// Enabled reports whether anyone is subscribed. It is one atomic load.
func (b *Bus) Enabled() bool { return len(*b.subs.Load()) > 0 }

// Trace stamps e with the next sequence number and offers it to each
// subscriber that wants its kind. Sequence numbers are global to the bus
// and every subscriber receives its records in Seq order, so it sees a gap
// where it lost events, or where it filtered them out with Only. Calls of
// Trace are serialized: while a Lossless subscriber makes one wait, the
// others wait too.
func (b *Bus) Trace(e paxos.Event) {
	subs := *b.subs.Load()
	b.order.Lock()
	defer b.order.Unlock()
	b.seq++
	r := Record{Seq: b.seq, Event: e}
	kind := ""
	for _, s := range subs {
		if s.only != nil {
			if kind == "" {
				kind = e.Kind()
			}
			if !s.only[kind] {
				continue
			}
		}
		s.offer(r)
	}
}

// Subscribe adds a subscriber that receives every event traced from now
// on, until ctx is done: then it leaves the bus and its channel is closed
// once no Trace call is still sending to it.
func (b *Bus) Subscribe(ctx context.Context, opts ...SubOption) *Sub {
	s := &Sub{done: make(chan struct{})}
	cfg := subConfig{buffer: defaultBuffer}
	for _, o := range opts {
		o(&cfg)
	}
	s.ch = make(chan Record, max(cfg.buffer, 0))
	s.only, s.lossless = cfg.only, cfg.lossless

	b.mu.Lock()
	b.subs.Store(new(append(slices.Clone(*b.subs.Load()), s)))
	b.mu.Unlock()
	context.AfterFunc(ctx, func() { b.unsubscribe(s) })
	return s
}

func (b *Bus) unsubscribe(s *Sub) {
	b.mu.Lock()
	b.subs.Store(new(slices.DeleteFunc(slices.Clone(*b.subs.Load()), func(o *Sub) bool { return o == s })))
	b.mu.Unlock()
	s.close()
}

// defaultBuffer is the channel capacity of a subscriber without WithBuffer.
const defaultBuffer = 1024

// SubOption configures a subscription.
type SubOption func(*subConfig)

type subConfig struct {
	buffer   int
	only     map[string]bool
	lossless bool
}

// WithBuffer sets how many records may wait for the subscriber before it
// starts losing them (1024 by default).
func WithBuffer(n int) SubOption { return func(c *subConfig) { c.buffer = n } }

// Only restricts the subscription to the given kinds ("paxos.reply", …).
// Without kinds, it does not filter.
func Only(kinds ...string) SubOption {
	return func(c *subConfig) {
		if len(kinds) == 0 {
			c.only = nil
			return
		}
		c.only = map[string]bool{}
		for _, k := range kinds {
			c.only[k] = true
		}
	}
}

// Lossless makes Trace wait for the subscriber instead of dropping: it
// slows the proposer down to the subscriber's pace. Use it for tests and
// for the recorder, never for a display.
func Lossless() SubOption { return func(c *subConfig) { c.lossless = true } }

// Sub is one subscription to a Bus.
type Sub struct {
	ch       chan Record
	only     map[string]bool
	lossless bool
	dropped  atomic.Uint64

	// state counts the Trace calls sending to ch, plus closedBit once the
	// subscription ended; whoever brings it to exactly closedBit closes ch.
	state     atomic.Int64
	done      chan struct{} // closed when the subscription ends
	closeOnce sync.Once
}

const closedBit = 1 << 62

// C returns the channel of records. It is closed when the subscription
// ends, after the records already queued.
func (s *Sub) C() <-chan Record { return s.ch }

// Dropped returns how many records the subscriber lost because its buffer
// was full.
func (s *Sub) Dropped() uint64 { return s.dropped.Load() }

func (s *Sub) offer(r Record) {
	if s.state.Add(1) >= closedBit {
		s.leave()
		return
	}
	if s.lossless {
		select {
		case s.ch <- r:
		case <-s.done:
		}
	} else {
		select {
		case s.ch <- r:
		default:
			s.dropped.Add(1)
		}
	}
	s.leave()
}

func (s *Sub) leave() {
	if s.state.Add(-1) == closedBit {
		s.closeOnce.Do(func() { close(s.ch) })
	}
}

// close ends the subscription: it releases Lossless senders, and closes
// ch now or when the last sender leaves.
func (s *Sub) close() {
	close(s.done)
	if s.state.Add(closedBit) == closedBit {
		s.closeOnce.Do(func() { close(s.ch) })
	}
}
