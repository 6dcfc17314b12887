package serve

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"time"

	"github.com/gryadka/gryadka/cluster"
	"github.com/gryadka/gryadka/gc"
	"github.com/gryadka/gryadka/paxos"
)

// ErrGCPeers is wrapped by New when GCOptions do not say who the other
// proposers are.
var ErrGCPeers = errors.New("serve: the garbage collector must know every proposer of the cluster")

// Defaults of GCOptions.
const (
	DefaultGCGrace     = 10 * time.Second
	DefaultGCScanEvery = 30 * time.Second
)

// GCOptions configure the garbage collector a server may run (package
// gc): it scans the nodes for tombstones and removes them.
//
// The rule: every proposer that writes the cluster must be fenced by each
// collection, so Peers must name every other `gryadka serve` of the
// cluster, and Alone must be set when there is none; New refuses options
// that say neither. A proposer left out could undo a delete or lose a
// write. The collector works over the nodes of the configuration in
// force: a configuration change (PUT /config) first stops it, so that a
// collection in progress fails cleanly (it is retried), then starts it
// again over the new nodes.
type GCOptions struct {
	// Peers are the other proposers, as http://host:port URLs.
	Peers []string
	// Alone says that this server is the cluster's only proposer.
	Alone bool
	// Grace is how long a tombstone found waits before its collection
	// (default DefaultGCGrace).
	Grace time.Duration
	// ScanEvery is how often the nodes are scanned for tombstones
	// (default DefaultGCScanEvery).
	ScanEvery time.Duration
	// Log, if not nil, receives each step's line (gc.StepEvent.Text).
	Log io.Writer
}

// gcRunner is a server's collector and what it fences. It builds a new
// collector when the configuration's nodes change.
type gcRunner struct {
	s     *Server
	id    string
	grace time.Duration
	every time.Duration
	log   io.Writer
	peers *Proposers

	change sync.Mutex // held from pause to resume: one configuration change at a time

	mu        sync.Mutex // guards the fields below
	collector *gc.Collector
	nodes     []string        // the collector's nodes
	parent    context.Context // Serve's, nil when the server does not serve
	stop      func()          // stops the running collector and waits; nil when none runs
}

// newGC builds the server's collector over the nodes the configuration
// names now; s.conns is set.
func (s *Server) newGC(o GCOptions) (*gcRunner, error) {
	if len(o.Peers) == 0 && !o.Alone {
		return nil, fmt.Errorf("%w: name every other proposer (Peers), or say there is none (Alone)", ErrGCPeers)
	}
	if len(o.Peers) > 0 && o.Alone {
		return nil, fmt.Errorf("%w: peers are named, yet the server is said to be alone", ErrGCPeers)
	}
	clients := make([]*Client, len(o.Peers))
	for i, u := range o.Peers {
		c, err := NewClient(u, nil)
		if err != nil {
			return nil, err
		}
		clients[i] = c
	}
	if o.ScanEvery <= 0 {
		o.ScanEvery = DefaultGCScanEvery
	}
	if o.Grace <= 0 {
		o.Grace = DefaultGCGrace
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	r := &gcRunner{s: s, id: s.opts.ID + "-gc", grace: o.Grace, every: o.ScanEvery, log: o.Log, peers: NewProposers(clients...)}
	s.mu.Lock()
	names := s.nodeNames()
	s.mu.Unlock()
	c, err := r.build(names)
	if err != nil {
		return nil, err
	}
	r.collector, r.nodes = c, names
	return r, nil
}

// nodeNames lists the nodes of the configuration in force, sorted. s.mu
// is held.
func (s *Server) nodeNames() []string {
	return slices.Sorted(func(yield func(string) bool) {
		for n := range s.conns {
			if !yield(n) {
				return
			}
		}
	})
}

// build returns a collector over the nodes called names.
func (r *gcRunner) build(names []string) (*gc.Collector, error) {
	nodes := make([]gc.Acceptor, len(names))
	for i, n := range names {
		nodes[i] = gcNode{s: r.s, name: n}
	}
	return gc.New(gc.Config{Acceptors: nodes, ID: r.id, Grace: r.grace,
		Proposers: serverProposers{s: r.s, nodes: names, peers: r.peers},
		Timeout:   r.s.opts.AcceptorTimeout, Tracer: gcTracer{s: r.s, log: r.log}})
}

// run runs c until ctx ends or the returned function is called, which
// waits for it.
func (r *gcRunner) run(ctx context.Context, c *gc.Collector) func() {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { _ = c.Run(ctx) })
	wg.Go(func() {
		t := time.NewTicker(r.every)
		defer t.Stop()
		for {
			if _, err := c.Scan(ctx); err != nil && ctx.Err() == nil {
				fmt.Fprintf(r.log, "gc scan: %v\n", err)
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	})
	return func() {
		cancel()
		wg.Wait()
	}
}

// pause stops the collector before a configuration change: a collection
// in progress fails, and is retried once resume started it again. It
// must be followed by resume; s.mu must not be held, as the collector's
// calls take it.
func (r *gcRunner) pause() {
	r.change.Lock()
	r.mu.Lock()
	stop := r.stop
	r.stop = nil
	r.mu.Unlock()
	if stop != nil {
		stop()
	}
}

// resume starts the collector again after pause, over the nodes of the
// configuration now in force: a new collector if they changed. When one
// cannot be built the server runs none and says so in the log.
func (r *gcRunner) resume() {
	defer r.change.Unlock()
	r.s.mu.Lock()
	names := r.s.nodeNames()
	r.s.mu.Unlock()
	r.mu.Lock()
	defer r.mu.Unlock()
	if !slices.Equal(names, r.nodes) {
		c, err := r.build(names)
		if err != nil {
			fmt.Fprintf(r.log, "gc: no collection over the new configuration: %v\n", err)
			return
		}
		r.collector, r.nodes = c, names
	}
	if r.parent != nil {
		r.stop = r.run(r.parent, r.collector)
	}
}

// startGC runs the collector, if any, until ctx ends, following the
// configuration changes; the returned function waits for it.
func (s *Server) startGC(ctx context.Context) func() {
	if s.gc == nil {
		return func() {}
	}
	r := s.gc
	r.mu.Lock()
	r.parent = ctx
	r.stop = r.run(ctx, r.collector)
	r.mu.Unlock()
	return func() {
		r.mu.Lock()
		stop := r.stop
		r.parent, r.stop = nil, nil
		r.mu.Unlock()
		if stop != nil {
			stop()
		}
	}
}

// GC returns the server's garbage collector in force, nil unless
// Options.GC was set. A configuration change that changes the nodes
// replaces it.
func (s *Server) GC() *gc.Collector {
	if s.gc == nil {
		return nil
	}
	s.gc.mu.Lock()
	defer s.gc.mu.Unlock()
	return s.gc.collector
}

// serverProposers fences the server's own proposer and its peers.
type serverProposers struct {
	s     *Server
	nodes []string // the collector's nodes
	peers *Proposers
}

// Invalidate implements gc.Proposers. It first checks that the
// configuration still names the collector's nodes, so that nothing is
// removed over nodes the configuration no longer names.
func (p serverProposers) Invalidate(ctx context.Context, key string, tombstone paxos.Ballot) error {
	p.s.mu.Lock()
	now := p.s.nodeNames()
	p.s.mu.Unlock()
	if !slices.Equal(now, p.nodes) {
		return fmt.Errorf("the configuration changed during the collection (nodes %v, now %v): it is retried over the new nodes",
			p.nodes, now)
	}
	p.s.proposer.Invalidate(key, tombstone)
	if len(p.peers.clients) == 0 {
		return nil
	}
	return p.peers.Invalidate(ctx, key, tombstone)
}

// RaiseAge implements gc.Proposers.
func (p serverProposers) RaiseAge(ctx context.Context) ([]gc.Age, error) {
	ages := []gc.Age{{Proposer: p.s.proposer.ID(), Age: p.s.proposer.RaiseAge()}}
	if len(p.peers.clients) == 0 {
		return ages, nil
	}
	peers, err := p.peers.RaiseAge(ctx)
	return append(ages, peers...), err
}

// gcNode is a node of the configuration as the collector needs it, looked
// up by name for each call, so that it follows reconnections.
type gcNode struct {
	s    *Server
	name string
}

func (n gcNode) conn(ctx context.Context) (*cluster.RedisAcceptor, error) {
	n.s.mu.Lock()
	c, ok := n.s.conns[n.name]
	n.s.mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("%s left the configuration", n.name)
	}
	return c.conn.get(ctx)
}

// Name implements paxos.Acceptor.
func (n gcNode) Name() string { return n.name }

// Prepare implements paxos.Acceptor.
func (n gcNode) Prepare(ctx context.Context, key string, b paxos.Ballot) (paxos.Promise, error) {
	a, err := n.conn(ctx)
	if err != nil {
		return paxos.Promise{}, err
	}
	return a.Prepare(ctx, key, b)
}

// Accept implements paxos.Acceptor.
func (n gcNode) Accept(ctx context.Context, key string, b paxos.Ballot, value []byte, next paxos.Ballot) error {
	a, err := n.conn(ctx)
	if err != nil {
		return err
	}
	return a.Accept(ctx, key, b, value, next)
}

// RaiseMinAge implements gc.Acceptor.
func (n gcNode) RaiseMinAge(ctx context.Context, proposer string, age uint64) error {
	a, err := n.conn(ctx)
	if err != nil {
		return err
	}
	return a.RaiseMinAge(ctx, proposer, age)
}

// Remove implements gc.Acceptor.
func (n gcNode) Remove(ctx context.Context, key string, tombstone paxos.Ballot) (bool, error) {
	a, err := n.conn(ctx)
	if err != nil {
		return false, err
	}
	return a.Remove(ctx, key, tombstone)
}

// Keys implements gc.Scanner.
func (n gcNode) Keys(ctx context.Context, match string, count int) ([]string, error) {
	a, err := n.conn(ctx)
	if err != nil {
		return nil, err
	}
	return a.Keys(ctx, match, count)
}

// State implements gc.Scanner.
func (n gcNode) State(ctx context.Context, key string) (paxos.MemState, error) {
	a, err := n.conn(ctx)
	if err != nil {
		return paxos.MemState{}, err
	}
	return a.State(ctx, key)
}

// gcTracer sends the collector's steps to the server's trace and log.
type gcTracer struct {
	s   *Server
	log io.Writer
}

// Enabled implements paxos.Tracer.
func (gcTracer) Enabled() bool { return true }

// Trace implements paxos.Tracer.
func (t gcTracer) Trace(e paxos.Event) {
	if se, ok := e.(gc.StepEvent); ok {
		fmt.Fprintln(t.log, se.Text())
	}
	if t.s.bus.Enabled() {
		t.s.bus.Trace(e)
	}
}
