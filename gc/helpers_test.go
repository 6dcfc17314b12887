package gc

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/gryadka/gryadka/cluster"
	"github.com/gryadka/gryadka/kv"
	"github.com/gryadka/gryadka/paxos"
)

// backend is a three-node cluster for a test: the nodes themselves (for the
// collector) and the acceptors a proposer reaches through net (nil: direct).
type backend struct {
	nodes []paxos.Acceptor
	dial  func(t testing.TB, proposer string, net *cluster.Network) []paxos.Acceptor
	local *cluster.Local // nil for memory
}

// backends are the kinds of cluster every scenario runs on: memory,
// miniredis embedded, and a real redis-server when one is installed.
var backends = map[string]func(t *testing.T) backend{
	"memory": func(t *testing.T) backend {
		nodes := []paxos.Acceptor{paxos.NewMemAcceptor("a1"), paxos.NewMemAcceptor("a2"), paxos.NewMemAcceptor("a3")}
		return backend{nodes: nodes, dial: func(_ testing.TB, proposer string, net *cluster.Network) []paxos.Acceptor {
			return link(nodes, proposer, net)
		}}
	},
	"embedded": func(t *testing.T) backend { return localBackend(t, "embedded") },
	"redis-server": func(t *testing.T) backend {
		if _, err := exec.LookPath("redis-server"); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("redis-server is required under CI: %v", err)
			}
			t.Skip("redis-server not installed")
		}
		return localBackend(t, "process")
	},
}

func localBackend(t testing.TB, kind string) backend {
	ctx := context.Background()
	opts := cluster.LocalOptions{Nodes: 3, Backend: kind}
	if kind == "process" {
		opts.Dir = t.TempDir()
	}
	l, err := cluster.StartLocal(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	nodes, err := l.Acceptors(ctx, "gc", nil)
	if err != nil {
		t.Fatal(err)
	}
	return backend{nodes: nodes, local: l, dial: func(t testing.TB, proposer string, net *cluster.Network) []paxos.Acceptor {
		accs, err := l.Acceptors(ctx, proposer, nil)
		if err != nil {
			t.Fatal(err)
		}
		return link(accs, proposer, net)
	}}
}

func link(accs []paxos.Acceptor, proposer string, net *cluster.Network) []paxos.Acceptor {
	if net == nil {
		return accs
	}
	out := make([]paxos.Acceptor, len(accs))
	for i, a := range accs {
		out[i] = net.Link(proposer, a)
	}
	return out
}

// pick returns the acceptors called names, in that order.
func pick(accs []paxos.Acceptor, names ...string) []paxos.Acceptor {
	var out []paxos.Acceptor
	for _, n := range names {
		for _, a := range accs {
			if a.Name() == n {
				out = append(out, a)
			}
		}
	}
	return out
}

// newProposer builds a proposer over accs with a majority of them.
func newProposer(t testing.TB, id string, accs []paxos.Acceptor, oneRTT bool) *paxos.Proposer {
	t.Helper()
	cfg := paxos.Config{Prepare: accs, PrepareQuorum: len(accs)/2 + 1, Accept: accs, AcceptQuorum: len(accs)/2 + 1}
	p, err := paxos.NewProposer(paxos.Options{ID: id, Incarnation: "i1", Config: cfg, OneRTT: oneRTT,
		RoundTimeout: 30 * time.Second, SettleTimeout: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func store(p *paxos.Proposer) *kv.Store {
	return kv.New(p, kv.WithBackoff(time.Millisecond, 5*time.Millisecond))
}

// newCollector builds a collector over the backend's nodes and ps.
func newCollector(t testing.TB, b backend, ps Local, tr paxos.Tracer) *Collector {
	t.Helper()
	accs, err := AsAcceptors(b.nodes...)
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(Config{Acceptors: accs, Proposers: ps, Tracer: tr, Timeout: 500 * time.Millisecond,
		Grace: time.Millisecond, Retry: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// states reads key on the nodes called names, or on every node.
func states(t testing.TB, b backend, key string, names ...string) map[string]paxos.MemState {
	t.Helper()
	out := map[string]paxos.MemState{}
	nodes := b.nodes
	if len(names) > 0 {
		nodes = pick(nodes, names...)
	}
	for _, a := range nodes {
		switch a := a.(type) {
		case *paxos.MemAcceptor:
			out[a.Name()] = a.State(key)
		case *cluster.RedisAcceptor:
			s, err := a.State(context.Background(), key)
			if err != nil {
				t.Fatal(err)
			}
			out[a.Name()] = s
		default:
			t.Fatalf("cannot read %T", a)
		}
	}
	return out
}

// mustSet and the others run kv operations that must succeed.
func mustSet(t testing.TB, s *kv.Store, key string, v any) {
	t.Helper()
	if _, err := s.Set(context.Background(), key, v); err != nil {
		t.Fatalf("set %s: %v", key, err)
	}
}

// mustSetAgain is mustSet retrying a failure of unknown outcome, as a
// client would: a one-round-trip accept refused by two nodes below their
// floor is such a failure when the third one's answer is late.
func mustSetAgain(t testing.TB, s *kv.Store, key string, v any) {
	t.Helper()
	for range 10 {
		_, err := s.Set(context.Background(), key, v)
		if err == nil {
			return
		}
		if !errors.Is(err, kv.ErrUnknownOutcome) {
			t.Fatalf("set %s: %v", key, err)
		}
	}
	t.Fatalf("set %s: the outcome stayed unknown after 10 tries", key)
}

func mustDelete(t testing.TB, s *kv.Store, key string) {
	t.Helper()
	if _, err := s.Delete(context.Background(), key); err != nil {
		t.Fatalf("delete %s: %v", key, err)
	}
}

// read returns key's value, or nil when it is not found.
func read(t testing.TB, s *kv.Store, key string) any {
	t.Helper()
	e, err := s.Get(context.Background(), key)
	if errors.Is(err, kv.ErrNotFound) {
		return nil
	}
	if err != nil {
		t.Fatalf("get %s: %v", key, err)
	}
	return e.Value
}

// recorder keeps the events it is given.
type recorder struct{ ch chan paxos.Event }

func newRecorder() *recorder            { return &recorder{ch: make(chan paxos.Event, 256)} }
func (r *recorder) Enabled() bool       { return true }
func (r *recorder) Trace(e paxos.Event) { r.ch <- e }

func (r *recorder) steps() []StepEvent {
	var out []StepEvent
	for {
		select {
		case e := <-r.ch:
			out = append(out, e.(StepEvent))
		default:
			return out
		}
	}
}

// settled waits until every node accepted key's last write: the delete's
// accept to the third node is a straggler the proposer did not wait for,
// and one that lands after the removal is the very anomaly under test.
func settled(t testing.TB, b backend, key string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		st := states(t, b, key)
		if st["a1"].Accepted == st["a2"].Accepted && st["a2"].Accepted == st["a3"].Accepted {
			return
		}
	}
	t.Fatalf("the nodes never agreed on %q", key)
}
