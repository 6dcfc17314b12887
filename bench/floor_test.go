package bench

import (
	"context"
	"errors"
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
		FloorOptions{Samples: 10, Clients: 4, Duration: 50 * time.Millisecond, Key: "floor"})
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
	if st := nodes[0].State("floor-a1"); st.Accepted.Counter != 10 {
		t.Errorf("want the 10 timed accepts on floor-a1, have %+v", st)
	}
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
