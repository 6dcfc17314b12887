package bench

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gryadka/gryadka/cluster"
	"github.com/gryadka/gryadka/kv"
	"github.com/gryadka/gryadka/paxos"
)

// TargetOptions describe the cluster a benchmark runs against and the
// proposers it runs through.
type TargetOptions struct {
	// Endpoints are the acceptors' nodes.
	Endpoints []cluster.Endpoint
	// Identity, when set, is the cluster identity every node must hold.
	Identity string
	// Namespace prefixes gryadka's keys in each Redis (default
	// cluster.DefaultNamespace).
	Namespace string
	// Config names the acceptors of each phase; nil is a majority of all.
	Config *cluster.FileConfig
	// Proposers is how many proposers share the clients (default 1), each
	// with its own connections, named bench-1, bench-2…
	Proposers int
	// OneRTT turns on the one-round-trip optimization.
	OneRTT bool
	// MaxBatch bounds the changes of one key that share a round (0: the
	// proposer's default; 1: a round each).
	MaxBatch int
	// RoundTimeout bounds a round whose quorum does not answer (0: the
	// proposer's default).
	RoundTimeout time.Duration
	// InMemoryOK silences the warning about nodes without persistence
	// (embedded nodes).
	InMemoryOK bool
}

// Target is a set of proposers connected to a cluster, each with a
// key-value store, their phases counted by one RoundCounter (no tracer:
// the proposers run as they would in production).
type Target struct {
	Stores    []*kv.Store
	Proposers []*paxos.Proposer
	Counter   *RoundCounter
	// Nodes are the first proposer's connections to the nodes, for the
	// floor.
	Nodes []FloorNode
	// Quorum is how many acceptors an accept phase waits for.
	Quorum int
	// MaxBatch is TargetOptions.MaxBatch: 0 is the proposer's default.
	MaxBatch int

	warnings map[string][]string // warning -> nodes
	conns    []*cluster.RedisAcceptor
}

// Connect dials every node once per proposer and builds the proposers.
// Every node must answer: a benchmark of a degraded cluster would mislead.
func Connect(ctx context.Context, o TargetOptions) (*Target, error) {
	if len(o.Endpoints) == 0 {
		return nil, errors.New("bench: no nodes")
	}
	if o.Proposers <= 0 {
		o.Proposers = 1
	}
	t := &Target{Counter: &RoundCounter{}, MaxBatch: o.MaxBatch, warnings: map[string][]string{}}
	for i := range o.Proposers {
		if err := t.addProposer(ctx, o, "bench-"+strconv.Itoa(i+1)); err != nil {
			return nil, errors.Join(err, t.Close())
		}
	}
	return t, nil
}

func (t *Target) addProposer(ctx context.Context, o TargetOptions, id string) error {
	accs := make([]paxos.Acceptor, len(o.Endpoints))
	first := len(t.Proposers) == 0
	for i, ep := range o.Endpoints {
		a, err := cluster.DialAcceptor(ctx, cluster.AcceptorOptions{Endpoint: ep, Namespace: o.Namespace,
			Identity: o.Identity, InMemoryOK: o.InMemoryOK})
		if err != nil {
			return err
		}
		t.conns = append(t.conns, a)
		accs[i] = a
		if first {
			t.Nodes = append(t.Nodes, a)
			for _, w := range a.Warnings() {
				t.warnings[w] = append(t.warnings[w], a.Name())
			}
		}
	}
	cfg := paxos.Majority(accs...)
	if o.Config != nil {
		var err error
		if cfg, err = (cluster.File{Config: *o.Config}).PaxosConfig(accs); err != nil {
			return err
		}
	}
	p, err := paxos.NewProposer(paxos.Options{ID: id, Config: t.Counter.Count(cfg), OneRTT: o.OneRTT,
		MaxBatch: o.MaxBatch, RoundTimeout: o.RoundTimeout})
	if err != nil {
		return fmt.Errorf("bench: proposer %s: %w", id, err)
	}
	t.Quorum = cfg.AcceptQuorum
	t.Proposers = append(t.Proposers, p)
	t.Stores = append(t.Stores, kv.New(p))
	return nil
}

// Warnings returns what the nodes risk, in words, each prefixed by the
// names of the nodes concerned: "a1, a2: no fsync on every write…".
func (t *Target) Warnings() []string {
	var out []string
	for w, nodes := range t.warnings {
		out = append(out, strings.Join(nodes, ", ")+": "+w)
	}
	slices.Sort(out)
	return out
}

// Changes returns how many changes the proposers were asked to run,
// retries included.
func (t *Target) Changes() uint64 {
	var n uint64
	for _, s := range t.Stores {
		n += s.Stats().Attempts
	}
	return n
}

// Close closes every connection.
func (t *Target) Close() error {
	var errs []error
	for _, a := range t.conns {
		errs = append(errs, a.Close())
	}
	t.conns = nil
	return errors.Join(errs...)
}
