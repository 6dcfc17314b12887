package bench

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gryadka/gryadka/paxos"
)

// FloorNode is an acceptor that can also run the cheapest script round
// trip (cluster.RedisAcceptor is one). Its methods may be called
// concurrently.
type FloorNode interface {
	paxos.Acceptor
	Ping(ctx context.Context) (time.Duration, error)
}

// floorProposer signs the ballots of the floor's accepts.
const floorProposer = "bench-floor"

// FloorOptions configure MeasureFloor.
type FloorOptions struct {
	// Samples is how many sequential pings each node gets, and how many
	// fan-outs are timed (default 200).
	Samples int
	// Clients is how many concurrent clients ping for the throughput
	// (default 50).
	Clients int
	// Duration is how long the clients ping (default 1s).
	Duration time.Duration
	// Quorum is how many nodes a phase waits for (default a majority).
	Quorum int
	// Key is where the timed accepts write, suffixed by each node's name;
	// empty skips them.
	Key string
	// RefClients, when set, adds reference lines measured with that many
	// clients (the workload's): the ping throughput, and with Key the
	// throughput of quorum writes. They never replace the floor.
	RefClients int
}

// floorWarmup is how many calls each node gets before the timed ones, so
// that no node is timed on a cold connection.
const floorWarmup = 10

// NodeFloor is the round trip to one node.
type NodeFloor struct {
	Name string
	P50  time.Duration
}

// Floor is what the nodes do with no protocol at all: the bound below
// which a change cannot go.
type Floor struct {
	// Nodes holds each node's p50 round trip, one ping at a time.
	Nodes []NodeFloor
	// Quorum is the p50 round trip of the slowest node of the fastest
	// quorum: the Quorum-th smallest of the nodes' p50s.
	Quorum time.Duration
	// Writes and WriteQuorum are the same for one accept at a time: a
	// write, which a node with appendfsync always syncs to disk before it
	// answers. Empty without FloorOptions.Key.
	Writes      []NodeFloor
	WriteQuorum time.Duration
	// FanOut is the p50 of pinging every node at once and waiting for a
	// quorum of replies: the shape of one phase.
	FanOut time.Duration
	// OpsPerSec is the pings per second all nodes together sustained with
	// Clients concurrent clients, each going round the nodes.
	OpsPerSec float64
	Clients   int
	// OpsPerSecRuns holds the throughput of each measurement averaged
	// into OpsPerSec (see Floor.Mean): how much the machine's load moved.
	OpsPerSecRuns []float64

	// RefClients is FloorOptions.RefClients; RefOpsPerSec is the ping
	// throughput with that many clients, each going round the nodes.
	RefClients   int
	RefOpsPerSec float64
	// RefWritesPerSec is, with RefClients clients, how many quorum writes
	// complete per second: each client sends an accept to every node at
	// once and waits for a quorum, the shape of a one-round-trip change
	// without its protocol. With appendfsync always it shows what the
	// disk allows that many clients.
	RefWritesPerSec float64
}

// MeasureFloor times the nodes: pings, then accepts when opts.Key is set,
// one node at a time for the per-node p50s; pings to all nodes at once for
// the fan-out; pings from many clients for the throughput.
func MeasureFloor(ctx context.Context, nodes []FloorNode, opts FloorOptions) (Floor, error) {
	if len(nodes) == 0 {
		return Floor{}, errors.New("bench: floor: no nodes")
	}
	if opts.Samples <= 0 {
		opts.Samples = 200
	}
	if opts.Clients <= 0 {
		opts.Clients = 50
	}
	if opts.Duration <= 0 {
		opts.Duration = time.Second
	}
	if opts.Quorum <= 0 || opts.Quorum > len(nodes) {
		opts.Quorum = len(nodes)/2 + 1
	}
	f := Floor{Clients: opts.Clients}
	var err error
	f.Nodes, f.Quorum, err = perNode(nodes, opts.Quorum, opts.Samples, func(n FloorNode) (time.Duration, error) {
		return n.Ping(ctx)
	})
	if err != nil {
		return Floor{}, err
	}
	if opts.Key != "" {
		counter := uint64(0)
		f.Writes, f.WriteQuorum, err = perNode(nodes, opts.Quorum, opts.Samples, func(n FloorNode) (time.Duration, error) {
			counter++
			b := paxos.Ballot{Counter: counter, Proposer: floorProposer}
			start := time.Now()
			err := n.Accept(ctx, opts.Key+"-"+n.Name(), b, []byte("floor"), paxos.Ballot{})
			return time.Since(start), err
		})
		if err != nil {
			return Floor{}, err
		}
	}

	fan, err := fanOut(ctx, nodes, opts.Quorum, opts.Samples)
	if err != nil {
		return Floor{}, err
	}
	f.FanOut = fan
	f.OpsPerSec, err = pingThroughput(ctx, nodes, opts.Clients, opts.Duration)
	if err != nil {
		return Floor{}, err
	}
	if opts.RefClients > 0 {
		if err := f.measureRef(ctx, nodes, opts); err != nil {
			return Floor{}, err
		}
	}
	return f, nil
}

// Mean returns the average of f and g, two measurements of the same
// nodes, such as one before and one after a workload: on a machine whose
// load changes, a floor that brackets the workload compares fairly.
func (f Floor) Mean(g Floor) Floor {
	mid := func(a, b time.Duration) time.Duration { return (a + b) / 2 }
	midNodes := func(a, b []NodeFloor) []NodeFloor {
		if len(a) != len(b) {
			return a
		}
		out := make([]NodeFloor, len(a))
		for i := range a {
			out[i] = NodeFloor{Name: a[i].Name, P50: mid(a[i].P50, b[i].P50)}
		}
		return out
	}
	return Floor{
		Nodes: midNodes(f.Nodes, g.Nodes), Quorum: mid(f.Quorum, g.Quorum),
		Writes: midNodes(f.Writes, g.Writes), WriteQuorum: mid(f.WriteQuorum, g.WriteQuorum),
		FanOut: mid(f.FanOut, g.FanOut), OpsPerSec: (f.OpsPerSec + g.OpsPerSec) / 2, Clients: f.Clients,
		OpsPerSecRuns: append(f.runs(), g.runs()...),
		RefClients:    f.RefClients, RefOpsPerSec: (f.RefOpsPerSec + g.RefOpsPerSec) / 2,
		RefWritesPerSec: (f.RefWritesPerSec + g.RefWritesPerSec) / 2,
	}
}

func (f Floor) runs() []float64 {
	if len(f.OpsPerSecRuns) > 0 {
		return f.OpsPerSecRuns
	}
	return []float64{f.OpsPerSec}
}

// perNode times samples calls of call on each node, one call at a time,
// and returns each node's p50 and the quorum-th smallest of them. The
// nodes take turns, call by call, so that a burst of load on the machine
// falls on all of them alike instead of on whichever node was being timed.
func perNode(nodes []FloorNode, quorum, samples int, call func(FloorNode) (time.Duration, error)) ([]NodeFloor, time.Duration, error) {
	hs := make([]Histogram, len(nodes))
	for i := range floorWarmup + samples {
		for j, n := range nodes {
			d, err := call(n)
			if err != nil {
				return nil, 0, fmt.Errorf("bench: floor: %w", err)
			}
			if i >= floorWarmup {
				hs[j].Record(d)
			}
		}
	}
	out := make([]NodeFloor, len(nodes))
	p50s := make([]time.Duration, len(nodes))
	for j, n := range nodes {
		p50s[j] = hs[j].Quantile(0.5)
		out[j] = NodeFloor{Name: n.Name(), P50: p50s[j]}
	}
	slices.Sort(p50s)
	return out, p50s[quorum-1], nil
}

// fanOut returns the p50 time from pinging every node at once to the
// quorum-th reply.
func fanOut(ctx context.Context, nodes []FloorNode, quorum, samples int) (time.Duration, error) {
	var h Histogram
	replies := make(chan error, len(nodes))
	for range samples {
		start := time.Now()
		for _, n := range nodes {
			go func() {
				_, err := n.Ping(ctx)
				replies <- err
			}()
		}
		var errs []error
		var took time.Duration
		for i := range nodes {
			if err := <-replies; err != nil {
				errs = append(errs, err)
			}
			if i+1-len(errs) == quorum {
				took = time.Since(start)
			}
		}
		if len(nodes)-len(errs) < quorum {
			return 0, fmt.Errorf("bench: floor: %w", errors.Join(errs...))
		}
		h.Record(took)
	}
	return h.Quantile(0.5), nil
}

// pingThroughput runs clients concurrent clients for d, each pinging the
// nodes in turn, and returns the pings per second they completed.
func pingThroughput(ctx context.Context, nodes []FloorNode, clients int, d time.Duration) (float64, error) {
	var done atomic.Uint64
	var failed atomic.Pointer[error]
	var wg sync.WaitGroup
	start := time.Now()
	deadline := start.Add(d)
	for c := range clients {
		wg.Go(func() {
			for i := c; time.Now().Before(deadline) && ctx.Err() == nil; i++ {
				if _, err := nodes[i%len(nodes)].Ping(ctx); err != nil {
					failed.CompareAndSwap(nil, &err)
					return
				}
				done.Add(1)
			}
		})
	}
	wg.Wait()
	if err := failed.Load(); err != nil {
		return 0, fmt.Errorf("bench: floor: %w", *err)
	}
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("bench: floor: %w", err)
	}
	return float64(done.Load()) / time.Since(start).Seconds(), nil
}
