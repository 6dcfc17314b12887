package tui

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/gryadka/gryadka/cluster"
	"github.com/gryadka/gryadka/gc"
	"github.com/gryadka/gryadka/paxos"
)

// GC removes deleted keys from the acceptors, following the paper's
// steps, each traced as a gc.StepEvent. Methods are called from tea.Cmds.
type GC interface {
	// Collect runs the collection of key now and says how far it went.
	Collect(ctx context.Context, key string) (string, error)
	// SetRunning starts or stops the background collector, which scans
	// the nodes for tombstones every scanEvery and collects them.
	SetRunning(on bool) error
}

// scanEvery paces the background collector's scans.
const scanEvery = 10 * time.Second

// collectorGC implements GC over the collectors dial returns: a new one,
// over the nodes of the configuration in force, when a collection or a
// run starts.
type collectorGC struct {
	// dial returns a collector with the function that closes its
	// connections.
	dial func(ctx context.Context) (*gc.Collector, func(), error)

	mu     sync.Mutex
	cancel context.CancelFunc // of the background run, nil when off
	done   chan struct{}
}

var _ GC = (*collectorGC)(nil)
var _ gc.Proposers = (*localProposers)(nil)

// Invalidate implements gc.Proposers over every proposer, including those
// added since the collector started.
func (lp *localProposers) Invalidate(ctx context.Context, key string, tombstone paxos.Ballot) error {
	lp.mu.Lock()
	procs := gc.Local(append([]*paxos.Proposer(nil), lp.procs...))
	lp.mu.Unlock()
	return procs.Invalidate(ctx, key, tombstone)
}

// RaiseAge implements gc.Proposers.
func (lp *localProposers) RaiseAge(ctx context.Context) ([]gc.Age, error) {
	lp.mu.Lock()
	procs := gc.Local(append([]*paxos.Proposer(nil), lp.procs...))
	lp.mu.Unlock()
	return procs.RaiseAge(ctx)
}

// localCollector dials every node of the configuration of lp in force and
// returns a collector over them and the proposers of this process, with
// the function that closes the connections.
func localCollector(lp *localProposers, bus paxos.Tracer) func(ctx context.Context) (*gc.Collector, func(), error) {
	return func(ctx context.Context) (*gc.Collector, func(), error) {
		lp.mu.Lock()
		f := lp.file
		lp.mu.Unlock()
		return dialCollector(ctx, f, lp, bus)
	}
}

// dialCollector dials every node of f's configuration and returns a
// collector over them, with the function that closes the connections.
func dialCollector(ctx context.Context, f cluster.File, procs gc.Proposers, bus paxos.Tracer) (*gc.Collector, func(), error) {
	var conns []*cluster.RedisAcceptor
	closeAll := func() {
		for _, a := range conns {
			_ = a.Close()
		}
	}
	var accs []gc.Acceptor
	for _, n := range f.Nodes {
		if !inConfig(f.Config, n.Name) {
			continue
		}
		a, err := cluster.DialAcceptor(ctx, cluster.AcceptorOptions{Endpoint: cluster.Endpoint{Name: n.Name, Addr: n.Addr},
			Namespace: f.Namespace, Identity: f.Identity, InMemoryOK: n.Backend == cluster.KindEmbedded})
		if err != nil {
			closeAll()
			return nil, nil, fmt.Errorf("tui: garbage collection needs every node, and %s cannot be reached: %w", n.Name, err)
		}
		conns = append(conns, a)
		accs = append(accs, a)
	}
	c, err := gc.New(gc.Config{Acceptors: accs, Proposers: procs, Tracer: bus, Grace: time.Second})
	if err != nil {
		closeAll()
		return nil, nil, err
	}
	return c, closeAll, nil
}

// Collect implements GC.
func (g *collectorGC) Collect(ctx context.Context, key string) (string, error) {
	c, closeAll, err := g.dial(ctx)
	if err != nil {
		return "", err
	}
	defer closeAll()
	res, err := c.CollectKey(ctx, key)
	switch {
	case err != nil:
		return "", err
	case res.Skipped != "":
		return fmt.Sprintf("gc %s: left alone: %s", key, res.Skipped), nil
	}
	return fmt.Sprintf("gc %s: %s done; removed from %v", key, res.Reached, res.Removed), nil
}

// SetRunning implements GC.
func (g *collectorGC) SetRunning(on bool) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !on {
		if g.cancel == nil {
			return fmt.Errorf("%w: the collector is not running", ErrUnavailable)
		}
		g.cancel()
		<-g.done
		g.cancel, g.done = nil, nil
		return nil
	}
	if g.cancel != nil {
		return fmt.Errorf("%w: the collector is already running", ErrUnavailable)
	}
	ctx, cancel := context.WithCancel(context.Background())
	c, closeAll, err := g.dial(ctx)
	if err != nil {
		cancel()
		return err
	}
	g.cancel, g.done = cancel, make(chan struct{})
	go func() {
		defer close(g.done)
		defer closeAll()
		var wg sync.WaitGroup
		wg.Go(func() { _ = c.Run(ctx) })
		t := time.NewTicker(scanEvery)
		defer t.Stop()
		for {
			_, _ = c.Scan(ctx) // a node that fails is scanned again next time
			select {
			case <-ctx.Done():
				wg.Wait()
				return
			case <-t.C:
			}
		}
	}()
	return nil
}

// stop stops the background collector, if it runs.
func (g *collectorGC) stop() error {
	g.mu.Lock()
	running := g.cancel != nil
	g.mu.Unlock()
	if !running {
		return nil
	}
	return g.SetRunning(false)
}

func inConfig(c cluster.FileConfig, name string) bool {
	for _, set := range [][]string{c.Prepare, c.Accept} {
		for _, n := range set {
			if n == name {
				return true
			}
		}
	}
	return false
}
