package check

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gryadka/gryadka/cluster"
	"github.com/gryadka/gryadka/kv"
	"github.com/gryadka/gryadka/paxos"
)

// Negative names a negative control: a run on a deliberately broken
// set-up, whose violation the check must catch.
type Negative string

// The negative controls.
const (
	NegativeNone Negative = ""
	// NegativeQuorum: quorums of one, which do not intersect.
	NegativeQuorum Negative = "quorum"
	// NegativeWipe: proposers dial without the identity guard, so wiped
	// nodes vote with empty state at once.
	NegativeWipe Negative = "wipe"
	// NegativeIndefinite: clients take unknown outcomes for failures.
	NegativeIndefinite Negative = "indefinite"
)

// ParseNegative checks the name of a negative control.
func ParseNegative(s string) (Negative, error) {
	switch n := Negative(s); n {
	case NegativeNone, NegativeQuorum, NegativeWipe, NegativeIndefinite:
		return n, nil
	}
	return "", fmt.Errorf("check: unknown negative control %q: want quorum, wipe or indefinite", s)
}

// local is the cluster of a check run: its nodes, the network between
// proposers and acceptors, and a store per proposer.
type local struct {
	cl        *cluster.Local
	net       *cluster.Network
	names     []string // acceptors
	proposers []string
	stores    []*kv.Store
	guard     bool                     // wiped nodes refuse to vote until re-added
	direct    []*cluster.RedisAcceptor // outside the network, without the guard: audit and re-adding
}

// roundTimeout bounds a round stuck on hanging nodes, so clients move on.
const roundTimeout = 250 * time.Millisecond

func startLocal(ctx context.Context, opts Options) (_ *local, err error) {
	cl, err := cluster.StartLocal(ctx, cluster.LocalOptions{Nodes: opts.Nodes, Backend: opts.Backend})
	if err != nil {
		return nil, err
	}
	l := &local{cl: cl, net: cluster.NewNetwork(cluster.NetworkOptions{Seed: opts.Seed}),
		guard: opts.Negative != NegativeWipe}
	defer func() {
		if err != nil {
			err = errors.Join(err, l.close())
		}
	}()
	for _, n := range cl.Nodes() {
		l.names = append(l.names, n.Name())
		a, err := l.dial(ctx, n, "")
		if err != nil {
			return nil, err
		}
		l.direct = append(l.direct, a)
	}
	for i := range opts.Proposers {
		id := fmt.Sprintf("p%d", i+1)
		accs, err := l.acceptors(ctx, id)
		if err != nil {
			return nil, err
		}
		config := paxos.Majority(accs...)
		if opts.Negative == NegativeQuorum {
			config = paxos.Config{Prepare: accs, PrepareQuorum: 1, Accept: accs, AcceptQuorum: 1, Unsafe: true}
		}
		p, err := paxos.NewProposer(paxos.Options{ID: id, Config: config, OneRTT: true, RoundTimeout: roundTimeout})
		if err != nil {
			return nil, err
		}
		l.proposers = append(l.proposers, id)
		l.stores = append(l.stores, kv.New(p, kv.WithBackoff(time.Millisecond, 20*time.Millisecond)))
	}
	return l, nil
}

// acceptors returns proposer's view of the nodes, through the network,
// with or without the identity guard.
func (l *local) acceptors(ctx context.Context, proposer string) ([]paxos.Acceptor, error) {
	if l.guard {
		return l.cl.Acceptors(ctx, proposer, l.net)
	}
	var accs []paxos.Acceptor
	for _, n := range l.cl.Nodes() {
		a, err := l.dial(ctx, n, "")
		if err != nil {
			return nil, err
		}
		l.direct = append(l.direct, a) // closed with the others
		accs = append(accs, l.net.Link(proposer, a))
	}
	return accs, nil
}

func (l *local) dial(ctx context.Context, n *cluster.Node, identity string) (*cluster.RedisAcceptor, error) {
	return cluster.DialAcceptor(ctx, cluster.AcceptorOptions{
		Endpoint:   cluster.Endpoint{Name: n.Name(), Addr: n.Addr()},
		Identity:   identity,
		InMemoryOK: n.Kind() == cluster.KindEmbedded,
		Timeout:    time.Second,
	})
}

func (l *local) close() error {
	var errs []error
	for _, a := range l.direct {
		errs = append(errs, a.Close())
	}
	return errors.Join(append(errs, l.cl.Close())...)
}

// apply starts fault f.
func (l *local) apply(ctx context.Context, f Fault) error {
	mode := cluster.FailFast
	if f.Hang {
		mode = cluster.Hang
	}
	var errs []error
	for i, name := range f.Nodes {
		n, err := l.cl.Node(name)
		if err != nil {
			return err
		}
		switch f.Kind {
		case FaultKill:
			errs = append(errs, n.Kill())
		case FaultPause:
			errs = append(errs, n.Pause())
		case FaultPartition:
			errs = append(errs, l.net.Partition(cluster.Any, name, mode))
		case FaultSplit:
			errs = append(errs, l.net.Partition(l.proposers[i%len(l.proposers)], name, mode))
		case FaultIsolate:
			for _, other := range l.names {
				if other != name {
					errs = append(errs, l.net.Partition(l.proposers[i%len(l.proposers)], other, cluster.FailFast))
				}
			}
		case FaultOneWay:
			errs = append(errs, l.net.OneWay(cluster.Any, name))
		case FaultDelay:
			errs = append(errs, l.net.Delay(cluster.Any, name, time.Millisecond, 10*time.Millisecond))
		case FaultWipe:
			errs = append(errs, n.Wipe(ctx))
		}
	}
	switch f.Kind {
	case FaultDrop:
		errs = append(errs, l.net.Drop(cluster.Any, cluster.Any, 0.05, 0.05))
	case FaultDuplicate:
		errs = append(errs, l.net.Duplicate(cluster.Any, cluster.Any, 0.3))
	case FaultReplyLoss:
		errs = append(errs, l.net.Drop(cluster.Any, cluster.Any, 0, 0.3))
	case FaultWipe:
		// Slow the nodes that kept their data, so that quorums would form
		// from the wiped ones if they voted.
		for _, name := range l.names {
			if !contains(f.Nodes, name) {
				errs = append(errs, l.net.Delay(cluster.Any, name, 20*time.Millisecond, 0))
			}
		}
	}
	return errors.Join(errs...)
}

// heal ends fault f: links come back up, killed nodes restart with their
// data, paused ones resume and wiped ones are re-added.
func (l *local) heal(ctx context.Context, f Fault) error {
	l.net.HealAll()
	var errs []error
	for _, name := range f.Nodes {
		n, err := l.cl.Node(name)
		if err != nil {
			return err
		}
		switch f.Kind {
		case FaultKill:
			errs = append(errs, n.Restart(ctx))
		case FaultPause:
			errs = append(errs, n.Resume())
		case FaultWipe:
			errs = append(errs, l.readd(ctx, n))
		}
	}
	return errors.Join(errs...)
}

// readd lets a wiped node vote again. With the guard, it first copies, for
// every key, the highest accepted value and the highest promise of the
// other nodes, a majority, and only then gives the node the identity: a
// value chosen before the wipe is then still held by a majority, and no
// promise the node forgot can be broken. Without the guard, the node
// votes as it is: empty.
func (l *local) readd(ctx context.Context, n *cluster.Node) error {
	if !l.guard {
		n.MarkJoined()
		return nil
	}
	var target *cluster.RedisAcceptor
	var others []*cluster.RedisAcceptor
	for i, name := range l.names {
		if name == n.Name() {
			target = l.direct[i]
		} else {
			others = append(others, l.direct[i])
		}
	}
	keys := map[string]bool{}
	for _, a := range others {
		ks, err := a.Keys(ctx, "", 0)
		if err != nil {
			return fmt.Errorf("re-adding %s: listing the keys of %s: %w", n.Name(), a.Name(), err)
		}
		for _, k := range ks {
			keys[k] = true
		}
	}
	for key := range keys {
		var best paxos.MemState
		for _, a := range others {
			s, err := a.State(ctx, key)
			if err != nil {
				return fmt.Errorf("re-adding %s: %w", n.Name(), err)
			}
			best.Promise = paxos.MaxBallot(best.Promise, s.Promise)
			if best.Accepted.Less(s.Accepted) {
				best.Accepted, best.Value = s.Accepted, s.Value
			}
		}
		var err error
		switch {
		case !best.Accepted.IsZero():
			err = target.Accept(ctx, key, best.Accepted, best.Value, best.Promise)
		case !best.Promise.IsZero():
			_, err = target.Prepare(ctx, key, best.Promise)
		}
		if err != nil {
			return fmt.Errorf("re-adding %s: copying %q: %w", n.Name(), key, err)
		}
	}
	if err := target.Join(ctx, l.cl.Identity()); err != nil {
		return fmt.Errorf("re-adding %s: %w", n.Name(), err)
	}
	n.MarkJoined()
	return nil
}

func contains(set []string, s string) bool {
	for _, x := range set {
		if x == s {
			return true
		}
	}
	return false
}
