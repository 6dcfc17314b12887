package paxos_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/gryadka/gryadka/paxos"
)

// TestMain fails the run when a test leaves a goroutine behind: stragglers
// end within RoundTimeout, and blocked acceptors are released by cleanups.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// errLinkDown is what a failing test acceptor answers.
var errLinkDown = errors.New("connection refused")

// hooked wraps an acceptor: hook runs before each call is forwarded, and a
// hook error is the call's answer. Tests use it to block, fail, count, or
// slip a rival's message in first.
type hooked struct {
	paxos.Acceptor
	hook func(ctx context.Context, phase paxos.Phase, key string) error
}

func (h hooked) Prepare(ctx context.Context, key string, b paxos.Ballot) (paxos.Promise, error) {
	if err := h.hook(ctx, paxos.PhasePrepare, key); err != nil {
		return paxos.Promise{}, err
	}
	return h.Acceptor.Prepare(ctx, key, b)
}

func (h hooked) Accept(ctx context.Context, key string, b paxos.Ballot, value []byte, next paxos.Ballot) error {
	if err := h.hook(ctx, paxos.PhaseAccept, key); err != nil {
		return err
	}
	return h.Acceptor.Accept(ctx, key, b, value, next)
}

// gate blocks calls until it is opened; the test's cleanup opens it, so
// nothing stays blocked after a test.
type gate struct {
	ch      chan struct{}
	once    sync.Once
	entered chan string // the key of each call that reached the gate
}

func newGate(t *testing.T) *gate {
	g := &gate{ch: make(chan struct{}), entered: make(chan string, 64)}
	t.Cleanup(g.open)
	return g
}

func (g *gate) open() { g.once.Do(func() { close(g.ch) }) }

// block is a hook that holds every call of every phase.
func (g *gate) block(ctx context.Context, _ paxos.Phase, key string) error {
	select {
	case g.entered <- key:
	default:
	}
	select {
	case <-g.ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// blockKey is a hook that holds only the calls for key.
func (g *gate) blockKey(key string) func(context.Context, paxos.Phase, string) error {
	return func(ctx context.Context, ph paxos.Phase, k string) error {
		if k != key {
			return nil
		}
		return g.block(ctx, ph, k)
	}
}

// blockPhase is a hook that holds only the calls of phase.
func (g *gate) blockPhase(phase paxos.Phase) func(context.Context, paxos.Phase, string) error {
	return func(ctx context.Context, ph paxos.Phase, k string) error {
		if ph != phase {
			return nil
		}
		return g.block(ctx, ph, k)
	}
}

// failPhase is a hook that fails every call of phase, as a dead link.
func failPhase(phase paxos.Phase) func(context.Context, paxos.Phase, string) error {
	return func(_ context.Context, ph paxos.Phase, _ string) error {
		if ph == phase {
			return errLinkDown
		}
		return nil
	}
}

// memAcceptors returns n empty acceptors a1..an.
func memAcceptors(n int) []*paxos.MemAcceptor {
	out := make([]*paxos.MemAcceptor, n)
	for i := range out {
		out[i] = paxos.NewMemAcceptor("a" + strconv.Itoa(i+1))
	}
	return out
}

// asAcceptors converts for Config.
func asAcceptors(mems []*paxos.MemAcceptor) []paxos.Acceptor {
	out := make([]paxos.Acceptor, len(mems))
	for i, m := range mems {
		out[i] = m
	}
	return out
}

// newProposer builds a proposer or fails the test. The round timeout is
// short so that stragglers end soon after a test.
func newProposer(t testing.TB, cfg paxos.Config, opts paxos.Options) *paxos.Proposer {
	t.Helper()
	if opts.ID == "" {
		opts.ID = "p1"
	}
	if opts.Incarnation == "" {
		opts.Incarnation = "i1"
	}
	if opts.RoundTimeout == 0 {
		opts.RoundTimeout = 2 * time.Second
	}
	opts.Config = cfg
	p, err := paxos.NewProposer(opts)
	if err != nil {
		t.Fatalf("NewProposer: %v", err)
	}
	return p
}

// incr is an update that counts from nil.
func incr(state []byte) ([]byte, error) {
	n := 0
	if state != nil {
		var err error
		if n, err = strconv.Atoi(string(state)); err != nil {
			return nil, fmt.Errorf("not a number: %q", state)
		}
	}
	return []byte(strconv.Itoa(n + 1)), nil
}

// set returns an update that writes v.
func set(v string) paxos.UpdateFunc {
	return func([]byte) ([]byte, error) { return []byte(v), nil }
}

// mustChange runs a change that must commit and returns the new state.
func mustChange(t testing.TB, p *paxos.Proposer, key string, update paxos.UpdateFunc) string {
	t.Helper()
	v, err := p.Change(context.Background(), key, update)
	if err != nil {
		t.Fatalf("change of %q: %v", key, err)
	}
	return string(v)
}

// changeRetrying retries conflicts, as the key-value layer does, and
// returns the committed state.
func changeRetrying(t testing.TB, p *paxos.Proposer, key string, update paxos.UpdateFunc) string {
	t.Helper()
	for range 20 {
		v, err := p.Change(context.Background(), key, update)
		if err == nil {
			return string(v)
		}
		if !paxos.IsConflict(err) {
			t.Fatalf("change of %q: %v", key, err)
		}
	}
	t.Fatalf("change of %q: still conflicting after 20 attempts", key)
	return ""
}

// eventually polls cond until it holds; it bounds a wait, it does not
// measure one.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting: %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// collector is a Tracer that keeps every event.
type collector struct {
	mu     sync.Mutex
	events []paxos.Event
	off    bool
}

func (c *collector) Enabled() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return !c.off
}

func (c *collector) Trace(e paxos.Event) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.events = append(c.events, e)
}

func (c *collector) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.events = nil
}

func (c *collector) all() []paxos.Event {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]paxos.Event(nil), c.events...)
}

// eventsOf returns the collected events of type T, in order.
func eventsOf[T paxos.Event](c *collector) []T {
	var out []T
	for _, e := range c.all() {
		if x, ok := e.(T); ok {
			out = append(out, x)
		}
	}
	return out
}

// sentIn counts the messages of phase the collector saw.
func sentIn(c *collector, phase paxos.Phase) int {
	n := 0
	for _, m := range eventsOf[paxos.MessageSent](c) {
		if m.Phase == phase {
			n++
		}
	}
	return n
}

// fakeClock returns times one millisecond apart, from 2000-01-01.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Millisecond)
	return c.t
}

// lastFinished returns the last ChangeFinished event, which the proposer
// traces before Change returns.
func lastFinished(t *testing.T, c *collector) paxos.ChangeFinished {
	t.Helper()
	done := eventsOf[paxos.ChangeFinished](c)
	if len(done) == 0 {
		t.Fatal("no ChangeFinished event")
	}
	return done[len(done)-1]
}
