package cluster

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/gryadka/gryadka/paxos"
)

// netTestWait bounds every wait of these tests, so a bug fails the test
// instead of hanging it. It is never used to assert how long things take.
const netTestWait = 10 * time.Second

// netTestNoLeaks fails the test if it leaves goroutines behind. Call it
// first, so that it runs after every other cleanup.
func netTestNoLeaks(t *testing.T) {
	t.Helper()
	ignore := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, ignore) })
}

// netTestCtx returns a context that ends when the test does, or after
// netTestWait.
func netTestCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), netTestWait)
	t.Cleanup(cancel)
	return ctx
}

// netTestTracer keeps every event, in order, and wakes waiters on each.
type netTestTracer struct {
	mu     sync.Mutex
	events []paxos.Event
	wake   chan struct{}
}

func newNetTestTracer() *netTestTracer { return &netTestTracer{wake: make(chan struct{}, 1)} }

func (c *netTestTracer) Enabled() bool { return true }

func (c *netTestTracer) Trace(e paxos.Event) {
	c.mu.Lock()
	c.events = append(c.events, e)
	c.mu.Unlock()
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// links returns the What of every LinkEvent, in order.
func (c *netTestTracer) links() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, e := range c.events {
		if le, ok := e.(LinkEvent); ok {
			out = append(out, le.What)
		}
	}
	return out
}

func (c *netTestTracer) changes() []LinkChanged {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []LinkChanged
	for _, e := range c.events {
		if lc, ok := e.(LinkChanged); ok {
			out = append(out, lc)
		}
	}
	return out
}

// waitLink waits until a LinkEvent with what was traced.
func (c *netTestTracer) waitLink(t *testing.T, what string) {
	t.Helper()
	timeout := time.After(netTestWait)
	for !slices.Contains(c.links(), what) {
		select {
		case <-c.wake:
		case <-timeout:
			t.Fatalf("no link event %q; have %q", what, c.links())
		}
	}
}

// netTestWaitHeld waits until the step queue satisfies ok and returns it.
func netTestWaitHeld(t *testing.T, n *Network, ok func([]HeldMessage) bool) []HeldMessage {
	t.Helper()
	timeout := time.After(netTestWait)
	for {
		if h := n.Held(); ok(h) {
			return h
		}
		select {
		case <-n.HeldChanged():
		case <-timeout:
			t.Fatalf("step queue never got there; have %v", n.Held())
		}
	}
}

// netTestHeldCount is a netTestWaitHeld condition: exactly k messages.
func netTestHeldCount(k int) func([]HeldMessage) bool {
	return func(h []HeldMessage) bool { return len(h) == k }
}

// netTestRecorder is an acceptor that records the calls reaching it, in
// order, before passing them to a MemAcceptor.
type netTestRecorder struct {
	*paxos.MemAcceptor

	mu    sync.Mutex
	calls []string // "prepare k 3:p1", "accept k 3:p1"
}

func newNetTestRecorder(name string) *netTestRecorder {
	return &netTestRecorder{MemAcceptor: paxos.NewMemAcceptor(name)}
}

func (r *netTestRecorder) record(phase paxos.Phase, key string, b paxos.Ballot) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, phase.String()+" "+key+" "+b.String())
}

func (r *netTestRecorder) Prepare(ctx context.Context, key string, b paxos.Ballot) (paxos.Promise, error) {
	r.record(paxos.PhasePrepare, key, b)
	return r.MemAcceptor.Prepare(ctx, key, b)
}

func (r *netTestRecorder) Accept(ctx context.Context, key string, b paxos.Ballot, value []byte, next paxos.Ballot) error {
	r.record(paxos.PhaseAccept, key, b)
	return r.MemAcceptor.Accept(ctx, key, b, value, next)
}

func (r *netTestRecorder) list() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.calls)
}

// netTestBallot returns ballot n of proposer p1.
func netTestBallot(n uint64) paxos.Ballot { return paxos.Ballot{Counter: n, Proposer: "p1"} }

// netTestResult is what a call made in the background returned.
type netTestResult struct {
	promise paxos.Promise
	err     error
}

// netTestGo runs call in the background and returns where its result goes.
func netTestGo(call func() (paxos.Promise, error)) <-chan netTestResult {
	out := make(chan netTestResult, 1)
	go func() {
		p, err := call()
		out <- netTestResult{p, err}
	}()
	return out
}

// netTestRecv waits for a background result.
func netTestRecv(t *testing.T, c <-chan netTestResult) netTestResult {
	t.Helper()
	select {
	case r := <-c:
		return r
	case <-time.After(netTestWait):
		t.Fatal("the call never returned")
		return netTestResult{}
	}
}
