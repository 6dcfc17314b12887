package bench

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gryadka/gryadka/paxos"
)

// fakeNode answers pings at once, reporting a fixed round trip, and
// accepts on a MemAcceptor.
type fakeNode struct {
	*paxos.MemAcceptor
	rtt   time.Duration
	err   error
	pings atomic.Int64
}

func (f *fakeNode) Ping(context.Context) (time.Duration, error) {
	f.pings.Add(1)
	return f.rtt, f.err
}

func TestMeasureFloor_TakesTheSlowestNodeOfTheFastestQuorum(t *testing.T) {
	nodes := []*fakeNode{
		{MemAcceptor: paxos.NewMemAcceptor("a1"), rtt: 300 * time.Microsecond},
		{MemAcceptor: paxos.NewMemAcceptor("a2"), rtt: 100 * time.Microsecond},
		{MemAcceptor: paxos.NewMemAcceptor("a3"), rtt: 200 * time.Microsecond},
	}
	f, err := MeasureFloor(context.Background(), []FloorNode{nodes[0], nodes[1], nodes[2]},
		FloorOptions{Samples: 10, Clients: 4, Duration: 50 * time.Millisecond, Key: "floor", RefClients: 2})
	if err != nil {
		t.Fatal(err)
	}
	for i, n := range f.Nodes {
		if want, have := nodes[i].rtt, n.P50; !near(have, want) {
			t.Errorf("%s: want p50 %v, have %v", n.Name, want, have)
		}
	}
	if want, have := 200*time.Microsecond, f.Quorum; !near(have, want) {
		t.Errorf("quorum: want the second fastest node's %v, have %v", want, have)
	}
	if want, have := 3, len(f.Writes); want != have {
		t.Errorf("writes: want one p50 per node (%d), have %d", want, have)
	}
	if f.OpsPerSec <= 0 || f.FanOut <= 0 {
		t.Errorf("want a throughput and a fan-out time, have %.0f/s and %v", f.OpsPerSec, f.FanOut)
	}
	if want, have := 4, f.Clients; want != have {
		t.Errorf("clients: want %d, have %d", want, have)
	}
	// The nodes take turns under one ballot counter: a1 got the first of
	// every three of the warm-up and timed accepts.
	if want, have := uint64(3*(floorWarmup+10)-2), nodes[0].State("floor-a1").Accepted.Counter; want != have {
		t.Errorf("floor-a1: want the last accept at counter %d, have %d", want, have)
	}
	if want, have := 2, f.RefClients; want != have {
		t.Errorf("reference clients: want %d, have %d", want, have)
	}
	if f.RefOpsPerSec <= 0 || f.RefWritesPerSec <= 0 {
		t.Errorf("want reference throughputs, have %.0f pings/s and %.0f writes/s", f.RefOpsPerSec, f.RefWritesPerSec)
	}
	for _, n := range nodes {
		key := "floor-ref1-" + n.Name()
		if st := n.State(key); st.Accepted.IsZero() {
			t.Errorf("want the reference writes on %s, have %+v", key, st)
		}
	}
}

// orderNode records the order in which nodes are pinged.
type orderNode struct {
	*paxos.MemAcceptor
	order *[]string
}

func (o orderNode) Ping(context.Context) (time.Duration, error) {
	*o.order = append(*o.order, o.Name())
	return time.Microsecond, nil
}

func TestMeasureFloor_NodesTakeTurns(t *testing.T) {
	var order []string
	nodes := []FloorNode{orderNode{paxos.NewMemAcceptor("a1"), &order}, orderNode{paxos.NewMemAcceptor("a2"), &order}}
	ping := func(n FloorNode) (time.Duration, error) { return n.Ping(context.Background()) }
	if _, _, err := perNode(nodes, 2, 3, ping); err != nil {
		t.Fatal(err)
	}
	if want, have := 2*(floorWarmup+3), len(order); want != have {
		t.Fatalf("want %d pings, have %d", want, have)
	}
	for i, name := range order {
		if want := []string{"a1", "a2"}[i%2]; name != want {
			t.Fatalf("ping %d: want %s (turns), have %s in %v", i+1, want, name, order)
		}
	}
}

func TestMeasureFloor_RefWritesFailWhenANodeFails(t *testing.T) {
	nodes := []FloorNode{
		&fakeNode{MemAcceptor: paxos.NewMemAcceptor("a1")},
		&fakeNode{MemAcceptor: paxos.NewMemAcceptor("a2")},
		&fakeNode{MemAcceptor: paxos.NewMemAcceptor("a3")},
	}
	down := errors.New("a3: connection refused")
	_, err := quorumWrites(context.Background(), []FloorNode{nodes[0], nodes[1], failingAccepts{nodes[2], down}},
		FloorOptions{Quorum: 3, RefClients: 2, Duration: 10 * time.Millisecond, Key: "floor"})
	if !errors.Is(err, down) {
		t.Errorf("want the node's error, have %v", err)
	}
}

// failingAccepts fails every accept with err.
type failingAccepts struct {
	FloorNode
	err error
}

func (f failingAccepts) Accept(context.Context, string, paxos.Ballot, []byte, paxos.Ballot) error {
	return f.err
}

func TestMeasureFloor_FailsWhenANodeFails(t *testing.T) {
	nodes := []FloorNode{
		&fakeNode{MemAcceptor: paxos.NewMemAcceptor("a1"), rtt: time.Microsecond},
		&fakeNode{MemAcceptor: paxos.NewMemAcceptor("a2"), err: errors.New("a2: connection refused")},
	}
	_, err := MeasureFloor(context.Background(), nodes, FloorOptions{Samples: 3, Duration: 10 * time.Millisecond})
	if err == nil || !strings.Contains(err.Error(), "a2: connection refused") {
		t.Errorf("want the node's error, have %v", err)
	}
	if _, err := MeasureFloor(context.Background(), nil, FloorOptions{}); err == nil {
		t.Error("no nodes: want an error, have none")
	}
}

func TestFloor_MeanAveragesTwoMeasurements(t *testing.T) {
	before := Floor{Nodes: []NodeFloor{{"a1", 100 * time.Microsecond}}, Quorum: 100 * time.Microsecond,
		FanOut: 300 * time.Microsecond, OpsPerSec: 9000, Clients: 50, RefClients: 16, RefOpsPerSec: 4000,
		RefWritesPerSec: 1000}
	after := Floor{Nodes: []NodeFloor{{"a1", 200 * time.Microsecond}}, Quorum: 200 * time.Microsecond,
		FanOut: 500 * time.Microsecond, OpsPerSec: 11000, Clients: 50, RefClients: 16, RefOpsPerSec: 6000,
		RefWritesPerSec: 3000}
	m := before.Mean(after)
	durations := map[string]struct{ want, have time.Duration }{
		"node":    {150 * time.Microsecond, m.Nodes[0].P50},
		"quorum":  {150 * time.Microsecond, m.Quorum},
		"fan-out": {400 * time.Microsecond, m.FanOut},
	}
	for name, d := range durations {
		if d.want != d.have {
			t.Errorf("%s: want %v, have %v", name, d.want, d.have)
		}
	}
	rates := map[string]struct{ want, have float64 }{
		"pings":           {10000, m.OpsPerSec},
		"reference pings": {5000, m.RefOpsPerSec},
		"quorum writes":   {2000, m.RefWritesPerSec},
	}
	for name, r := range rates {
		if r.want != r.have {
			t.Errorf("%s: want %v, have %v", name, r.want, r.have)
		}
	}
	if want, have := []float64{9000, 11000}, m.OpsPerSecRuns; !slices.Equal(want, have) {
		t.Errorf("runs: want %v, have %v", want, have)
	}
}
