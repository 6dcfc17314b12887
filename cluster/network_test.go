package cluster

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"

	"github.com/gryadka/gryadka/paxos"
)

func TestNetwork_HealthyLinkPassesThrough(t *testing.T) {
	netTestNoLeaks(t)
	ctx := netTestCtx(t)
	tr := newNetTestTracer()
	n := NewNetwork(NetworkOptions{Tracer: tr})
	a := paxos.NewMemAcceptor("a1")
	l := n.Link("p1", a)
	if have := l.Name(); have != "a1" {
		t.Errorf("Name: want a1, have %q", have)
	}
	if _, err := l.Prepare(ctx, "k", netTestBallot(1)); err != nil {
		t.Fatalf("Prepare: %v", err)
	}
	if err := l.Accept(ctx, "k", netTestBallot(1), []byte("v"), paxos.Ballot{}); err != nil {
		t.Fatalf("Accept: %v", err)
	}
	if have := string(a.State("k").Value); have != "v" {
		t.Errorf("want value v, have %q", have)
	}
	if have := tr.links(); len(have) != 0 {
		t.Errorf("want no link events, have %q", have)
	}
}

func TestNetwork_PartitionFailFastFailsAtOnce(t *testing.T) {
	netTestNoLeaks(t)
	tr := newNetTestTracer()
	n := NewNetwork(NetworkOptions{Tracer: tr})
	a := paxos.NewMemAcceptor("a1")
	if err := n.Partition("p1", "a1", FailFast); err != nil {
		t.Fatal(err)
	}
	_, err := n.Link("p1", a).Prepare(netTestCtx(t), "k", netTestBallot(1))
	if !errors.Is(err, ErrPartitioned) || errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want ErrPartitioned without waiting, have %v", err)
	}
	if have := a.State("k"); !have.Promise.IsZero() {
		t.Errorf("want the acceptor untouched, have promise %s", have.Promise)
	}
	if want, have := []string{"blocked by partition"}, tr.links(); !slices.Equal(want, have) {
		t.Errorf("want events %q, have %q", want, have)
	}
}

func TestNetwork_PartitionHangWaitsForTheContext(t *testing.T) {
	netTestNoLeaks(t)
	tr := newNetTestTracer()
	n := NewNetwork(NetworkOptions{Tracer: tr})
	a := paxos.NewMemAcceptor("a1")
	if err := n.Partition(Any, "a1", Hang); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(netTestCtx(t))
	done := netTestGo(func() (paxos.Promise, error) { return n.Link("p1", a).Prepare(ctx, "k", netTestBallot(1)) })
	tr.waitLink(t, "hung by partition")
	select {
	case r := <-done:
		t.Fatalf("want the request to hang, it returned %v", r.err)
	default:
	}
	cancel()
	r := netTestRecv(t, done)
	if !errors.Is(r.err, ErrPartitioned) || !errors.Is(r.err, context.Canceled) {
		t.Errorf("want ErrPartitioned after the caller gave up, have %v", r.err)
	}
	if have := a.State("k"); !have.Promise.IsZero() {
		t.Errorf("want the acceptor untouched, have promise %s", have.Promise)
	}
}

func TestNetwork_OneWayChangesTheAcceptorAndLosesTheReply(t *testing.T) {
	netTestNoLeaks(t)
	tr := newNetTestTracer()
	n := NewNetwork(NetworkOptions{Tracer: tr})
	a := paxos.NewMemAcceptor("a1")
	if err := n.OneWay("p1", "a1"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	err := n.Link("p1", a).Accept(ctx, "k", netTestBallot(1), []byte("v"), paxos.Ballot{})
	if !errors.Is(err, ErrMessageLost) || !errors.Is(err, context.DeadlineExceeded) || paxos.IsConflict(err) {
		t.Fatalf("want a lost reply reported as a timeout, have %v", err)
	}
	if have := a.State("k"); have.Accepted != netTestBallot(1) || string(have.Value) != "v" {
		t.Errorf("want v accepted at %s, have %q at %s", netTestBallot(1), have.Value, have.Accepted)
	}
	if want, have := []string{"dropped reply: one-way link"}, tr.links(); !slices.Equal(want, have) {
		t.Errorf("want events %q, have %q", want, have)
	}
}

func TestNetwork_DropLosesRequestsOrReplies(t *testing.T) {
	tests := map[string]struct {
		request, reply float64
		wantChanged    bool
		wantEvent      string
	}{
		"request": {request: 1, wantChanged: false, wantEvent: "dropped request"},
		"reply":   {reply: 1, wantChanged: true, wantEvent: "dropped reply"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			netTestNoLeaks(t)
			tr := newNetTestTracer()
			n := NewNetwork(NetworkOptions{Tracer: tr})
			a := paxos.NewMemAcceptor("a1")
			if err := n.Drop("p1", "a1", tt.request, tt.reply); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
			defer cancel()
			err := n.Link("p1", a).Accept(ctx, "k", netTestBallot(1), []byte("v"), paxos.Ballot{})
			if !errors.Is(err, ErrMessageLost) || !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("want a lost message reported as a timeout, have %v", err)
			}
			if have := !a.State("k").Accepted.IsZero(); have != tt.wantChanged {
				t.Errorf("acceptor changed: want %v, have %v", tt.wantChanged, have)
			}
			if want, have := []string{tt.wantEvent}, tr.links(); !slices.Equal(want, have) {
				t.Errorf("want events %q, have %q", want, have)
			}
		})
	}
}

// netTestLossPattern sends 40 prepares from p1 to a1 over a network with
// seed and 50% request loss and returns which of them were lost.
func netTestLossPattern(t *testing.T, seed int64) string {
	n := NewNetwork(NetworkOptions{Seed: seed})
	if err := n.Drop("p1", "a1", 0.5, 0); err != nil {
		t.Fatal(err)
	}
	l := n.Link("p1", paxos.NewMemAcceptor("a1"))
	var b strings.Builder
	for i := range 40 {
		ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
		_, err := l.Prepare(ctx, fmt.Sprint("k", i), netTestBallot(1))
		cancel()
		if errors.Is(err, ErrMessageLost) {
			b.WriteByte('x')
		} else {
			b.WriteByte('.')
		}
	}
	return b.String()
}

func TestNetwork_SameSeedSameDecisions(t *testing.T) {
	netTestNoLeaks(t)
	first, again, other := netTestLossPattern(t, 7), netTestLossPattern(t, 7), netTestLossPattern(t, 8)
	if first != again {
		t.Errorf("same seed, different losses:\n%s\n%s", first, again)
	}
	if first == other {
		t.Errorf("seeds 7 and 8 lost the same messages: %s", first)
	}
	if !strings.Contains(first, "x") || !strings.Contains(first, ".") {
		t.Errorf("want some of 40 messages lost at 50%%, have %s", first)
	}
}

func TestNetwork_DuplicateExecutesTwiceAndReturnsTheFirstReply(t *testing.T) {
	// In both cases the copy meets what the original left and is refused.
	// Only the original's answer may reach the proposer: had it seen the
	// copy's refusal of an accept, it would report as definitely failed a
	// change that the acceptor holds.
	tests := map[string]struct {
		call      func(ctx context.Context, l paxos.Acceptor) error
		wantCalls []string
	}{
		"prepare": {
			call: func(ctx context.Context, l paxos.Acceptor) error {
				_, err := l.Prepare(ctx, "k", netTestBallot(1))
				return err
			},
			wantCalls: []string{"prepare k 1:p1", "prepare k 1:p1"},
		},
		"accept promising the next ballot": {
			call: func(ctx context.Context, l paxos.Acceptor) error {
				return l.Accept(ctx, "k", netTestBallot(1), []byte("v"), netTestBallot(2))
			},
			wantCalls: []string{"accept k 1:p1", "accept k 1:p1"},
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			netTestNoLeaks(t)
			tr := newNetTestTracer()
			n := NewNetwork(NetworkOptions{Tracer: tr})
			a := newNetTestRecorder("a1")
			if err := n.Duplicate("p1", "a1", 1); err != nil {
				t.Fatal(err)
			}
			if err := tt.call(netTestCtx(t), n.Link("p1", a)); err != nil {
				t.Fatalf("want the first execution's answer, have %v", err)
			}
			if have := a.list(); !slices.Equal(tt.wantCalls, have) {
				t.Errorf("want calls %q, have %q", tt.wantCalls, have)
			}
			if want, have := []string{"duplicated"}, tr.links(); !slices.Equal(want, have) {
				t.Errorf("want events %q, have %q", want, have)
			}
		})
	}
}

// netTestSleeper replaces a Network's timer: each delay waits until the
// test releases it.
type netTestSleeper struct {
	mu      sync.Mutex
	waiting map[time.Duration]chan struct{}
	arrived chan time.Duration
}

func newNetTestSleeper(n *Network) *netTestSleeper {
	s := &netTestSleeper{waiting: map[time.Duration]chan struct{}{}, arrived: make(chan time.Duration, 16)}
	n.sleep = func(ctx context.Context, d time.Duration) error {
		c := make(chan struct{})
		s.mu.Lock()
		s.waiting[d] = c
		s.mu.Unlock()
		s.arrived <- d
		select {
		case <-c:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return s
}

func (s *netTestSleeper) release(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	close(s.waiting[d])
}

func TestNetwork_JitterReordersConcurrentRequests(t *testing.T) {
	netTestNoLeaks(t)
	const fixed, jitter = 10 * time.Millisecond, 100 * time.Millisecond
	// Find a seed whose first delay on p1→a1 is longer than its second.
	var seed int64
	for seed = 1; ; seed++ {
		r := linkRand(seed, "p1", "a1")
		s := LinkState{Delay: fixed, Jitter: jitter}
		if d1, d2 := delayOf(r, s), delayOf(r, s); d1 > d2 {
			break
		}
	}
	n := NewNetwork(NetworkOptions{Seed: seed})
	sleeper := newNetTestSleeper(n)
	a := newNetTestRecorder("a1")
	if err := n.Delay("p1", "a1", fixed, jitter); err != nil {
		t.Fatal(err)
	}
	ctx := netTestCtx(t)
	l := n.Link("p1", a)
	first := netTestGo(func() (paxos.Promise, error) { return l.Prepare(ctx, "first", netTestBallot(1)) })
	d1 := <-sleeper.arrived
	second := netTestGo(func() (paxos.Promise, error) { return l.Prepare(ctx, "second", netTestBallot(1)) })
	d2 := <-sleeper.arrived
	for _, d := range []time.Duration{d1, d2} {
		if d < fixed || d > fixed+jitter {
			t.Errorf("want a delay within %v+%v, have %v", fixed, jitter, d)
		}
	}
	// Time passes: the shorter delay ends first.
	sleeper.release(d2)
	if r := netTestRecv(t, second); r.err != nil {
		t.Fatal(r.err)
	}
	sleeper.release(d1)
	if r := netTestRecv(t, first); r.err != nil {
		t.Fatal(r.err)
	}
	if want, have := []string{"prepare second 1:p1", "prepare first 1:p1"}, a.list(); !slices.Equal(want, have) {
		t.Errorf("want the later request to arrive first %q, have %q", want, have)
	}
}

func TestNetwork_OneWayOnARedisAcceptor(t *testing.T) {
	netTestNoLeaks(t)
	srv := miniredis.RunT(t)
	a, err := DialAcceptor(netTestCtx(t), AcceptorOptions{Endpoint: Endpoint{Name: "a1", Addr: srv.Addr()}, InMemoryOK: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close() })
	n := NewNetwork(NetworkOptions{})
	if err := n.OneWay("p1", "a1"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	err = n.Link("p1", a).Accept(ctx, "k", netTestBallot(1), []byte("v"), paxos.Ballot{})
	if !errors.Is(err, ErrMessageLost) {
		t.Fatalf("want the reply lost, have %v", err)
	}
	have, err := a.State(netTestCtx(t), "k")
	if err != nil {
		t.Fatal(err)
	}
	if have.Accepted != netTestBallot(1) || string(have.Value) != "v" {
		t.Errorf("want v accepted at %s on the node, have %q at %s", netTestBallot(1), have.Value, have.Accepted)
	}
}

func BenchmarkLink(b *testing.B) {
	setups := map[string]func(n *Network){
		"healthy":         func(*Network) {},
		"fault-elsewhere": func(n *Network) { _ = n.Partition("p2", "a9", FailFast) },
		"no-op-delay":     func(n *Network) { _ = n.Delay(Any, Any, 0, 0) },
	}
	for name, setup := range setups {
		b.Run(name, func(b *testing.B) {
			n := NewNetwork(NetworkOptions{})
			setup(n)
			l := n.Link("p1", paxos.NewMemAcceptor("a1"))
			ctx, v := context.Background(), []byte("v")
			b.ReportAllocs()
			var i uint64
			for b.Loop() {
				i++
				if err := l.Accept(ctx, "k", netTestBallot(i), v, paxos.Ballot{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("direct", func(b *testing.B) {
		a := paxos.NewMemAcceptor("a1")
		ctx, v := context.Background(), []byte("v")
		b.ReportAllocs()
		var i uint64
		for b.Loop() {
			i++
			if err := a.Accept(ctx, "k", netTestBallot(i), v, paxos.Ballot{}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
