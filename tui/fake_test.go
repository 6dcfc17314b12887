package tui

import (
	"context"
	"errors"
	"fmt"
	"path"
	"slices"
	"testing"
	"time"

	"github.com/gryadka/gryadka/paxos"
	"github.com/gryadka/gryadka/trace"
)

// fakeNode is a MemAcceptor that can be down.
type fakeNode struct {
	*paxos.MemAcceptor
	state chan string // holds the state; a channel keeps the fake race-free without a lock
}

var errFakeDown = errors.New("fake: node is down")

func (n *fakeNode) get() string  { s := <-n.state; n.state <- s; return s }
func (n *fakeNode) set(s string) { <-n.state; n.state <- s }

func (n *fakeNode) Prepare(ctx context.Context, key string, b paxos.Ballot) (paxos.Promise, error) {
	if n.get() != "up" {
		return paxos.Promise{}, errFakeDown
	}
	return n.MemAcceptor.Prepare(ctx, key, b)
}

func (n *fakeNode) Accept(ctx context.Context, key string, b paxos.Ballot, v []byte, next paxos.Ballot) error {
	if n.get() != "up" {
		return errFakeDown
	}
	return n.MemAcceptor.Accept(ctx, key, b, v, next)
}

// fakeNodes implements Nodes over fake nodes.
type fakeNodes struct{ nodes []*fakeNode }

func newFakeNodes(names ...string) *fakeNodes {
	f := &fakeNodes{}
	for _, n := range names {
		st := make(chan string, 1)
		st <- "up"
		f.nodes = append(f.nodes, &fakeNode{MemAcceptor: paxos.NewMemAcceptor(n), state: st})
	}
	return f
}

func (f *fakeNodes) acceptors() []paxos.Acceptor {
	out := make([]paxos.Acceptor, len(f.nodes))
	for i, n := range f.nodes {
		out[i] = n
	}
	return out
}

func (f *fakeNodes) node(name string) (*fakeNode, error) {
	for _, n := range f.nodes {
		if n.Name() == name {
			return n, nil
		}
	}
	return nil, fmt.Errorf("fake: no node %s", name)
}

func (f *fakeNodes) List() []NodeInfo {
	var out []NodeInfo
	for i, n := range f.nodes {
		out = append(out, NodeInfo{Name: n.Name(), Addr: fmt.Sprintf("127.0.0.1:%d", 7001+i), Backend: "memory", State: n.get()})
	}
	return out
}

func (f *fakeNodes) Do(_ context.Context, name string, a NodeAction) error {
	n, err := f.node(name)
	if err != nil {
		return err
	}
	switch a {
	case NodeKill:
		n.set("down")
	case NodePause:
		n.set("paused")
	case NodeResume, NodeRestart:
		n.set("up")
	case NodeWipe:
		n.Wipe()
		n.set("wiped")
	}
	return nil
}

func (f *fakeNodes) Inspect(_ context.Context, name, key string) (paxos.MemState, error) {
	n, err := f.node(name)
	if err != nil {
		return paxos.MemState{}, err
	}
	if n.get() == "down" {
		return paxos.MemState{}, errFakeDown
	}
	return n.State(key), nil
}

func (f *fakeNodes) Keys(_ context.Context, name, match string, count int) ([]string, error) {
	n, err := f.node(name)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, k := range []string{"j", "k", "load:1", "other"} {
		if ok, _ := path.Match(match, k); ok && n.State(k).Accepted != (paxos.Ballot{}) && len(out) < count {
			out = append(out, k)
		}
	}
	return out, nil
}

func (f *fakeNodes) Digest(_ context.Context, name string) (string, error) {
	n, err := f.node(name)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%x", n.State("k").Accepted.Counter), nil
}

// fakeLinks implements Links by recording the calls.
type fakeLinks struct {
	calls  chan []string
	held   []HeldMessage
	failOn string
}

func newFakeLinks() *fakeLinks {
	f := &fakeLinks{calls: make(chan []string, 1)}
	f.calls <- nil
	return f
}

func (f *fakeLinks) record(call string) error {
	c := <-f.calls
	f.calls <- append(c, call)
	if call == f.failOn {
		return fmt.Errorf("fake: %s failed", call)
	}
	return nil
}

func (f *fakeLinks) log() []string { c := <-f.calls; f.calls <- c; return slices.Clone(c) }

func (f *fakeLinks) Partition(p, a string) error { return f.record("partition " + p + " " + a) }
func (f *fakeLinks) OneWay(p, a string) error    { return f.record("oneway " + p + " " + a) }
func (f *fakeLinks) Drop(p, a string, prob float64) error {
	return f.record(fmt.Sprintf("drop %s %s %.2f", p, a, prob))
}
func (f *fakeLinks) Delay(p, a string, d time.Duration) error {
	return f.record(fmt.Sprintf("delay %s %s %s", p, a, d))
}
func (f *fakeLinks) Heal(p, a string) error  { return f.record("heal " + p + " " + a) }
func (f *fakeLinks) HealAll()                { f.record("healall") }
func (f *fakeLinks) Faults() []string        { return nil }
func (f *fakeLinks) SetStep(on bool)         { f.record(fmt.Sprintf("step %v", on)) }
func (f *fakeLinks) Step() bool              { return len(f.held) > 0 }
func (f *fakeLinks) Held() []HeldMessage     { return f.held }
func (f *fakeLinks) Deliver(id uint64) error { return f.record(fmt.Sprintf("deliver %d", id)) }
func (f *fakeLinks) DropHeld(id uint64) error {
	return f.record(fmt.Sprintf("drophold %d", id))
}
func (f *fakeLinks) DeliverNext() error { return f.record("delivernext") }

// testEnv is a dashboard environment on fake nodes with one proposer.
type testEnv struct {
	env   Env
	nodes *fakeNodes
	links *fakeLinks
	col   *trace.Collector
}

func newTestEnv(t testing.TB) *testEnv {
	t.Helper()
	te := &testEnv{nodes: newFakeNodes("a1", "a2", "a3"), links: newFakeLinks(), col: &trace.Collector{}}
	p, err := paxos.NewProposer(paxos.Options{ID: "p1", Incarnation: "0", OneRTT: true, Tracer: te.col,
		Config: paxos.Majority(te.nodes.acceptors()...), RoundTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	te.env = Env{Bus: trace.NewBus(), Nodes: te.nodes, Links: te.links,
		Clients: []Client{NewLocalClient(p)}, Title: "test"}
	return te
}
