package tui

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/gryadka/gryadka/cluster"
	"github.com/gryadka/gryadka/paxos"
)

// localProposers are the proposers of a local cluster's dashboard. They
// share one connection per node, each reached through its link of the
// network, and all use the configuration in force: Apply gives it to
// every one, and a proposer added later starts with it.
type localProposers struct {
	net      *cluster.Network
	tracer   paxos.Tracer
	identity string
	ns       string

	mu    sync.Mutex // guards the fields below
	file  cluster.File
	procs []*paxos.Proposer
	conns map[string]*lazyAcceptor
	count int
}

var _ cluster.Proposers = (*localProposers)(nil)

func newLocalProposers(f cluster.File, net *cluster.Network, tracer paxos.Tracer) *localProposers {
	return &localProposers{net: net, tracer: tracer, identity: f.Identity, ns: f.Namespace, file: f,
		conns: map[string]*lazyAcceptor{}}
}

// add starts proposer p<N> (1RTT on) with the configuration in force.
func (lp *localProposers) add(context.Context) (Client, error) {
	lp.mu.Lock()
	defer lp.mu.Unlock()
	lp.count++
	id := fmt.Sprintf("p%d", lp.count)
	cfg, err := lp.config(id, lp.file)
	if err != nil {
		return Client{}, fmt.Errorf("tui: starting proposer %s: %w", id, err)
	}
	p, err := paxos.NewProposer(paxos.Options{ID: id, Config: cfg, OneRTT: true, Tracer: lp.tracer})
	if err != nil {
		return Client{}, fmt.Errorf("tui: starting proposer %s: %w", id, err)
	}
	lp.procs = append(lp.procs, p)
	return NewLocalClient(p), nil
}

// Apply implements cluster.Proposers: every proposer switches to cfg at
// once, which cannot fail on the network since connections are made on
// first use.
func (lp *localProposers) Apply(_ context.Context, nodes []cluster.FileNode, cfg cluster.FileConfig) error {
	lp.mu.Lock()
	defer lp.mu.Unlock()
	f := lp.file
	f.Nodes, f.Config = nodes, cfg
	var errs []error
	for _, p := range lp.procs {
		id := shortProposer(p.ID())
		c, err := lp.config(id, f)
		if err == nil {
			err = p.SetConfig(c)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("proposer %s: %w", id, err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	lp.file = f
	return nil
}

// config builds f's configuration for proposer id; the caller holds mu.
func (lp *localProposers) config(id string, f cluster.File) (paxos.Config, error) {
	var accs []paxos.Acceptor
	for _, n := range f.Nodes {
		a := lp.conns[n.Name]
		if a == nil || a.addr != n.Addr {
			a = &lazyAcceptor{name: n.Name, addr: n.Addr, opts: cluster.AcceptorOptions{
				Endpoint: cluster.Endpoint{Name: n.Name, Addr: n.Addr}, Namespace: lp.ns, Identity: lp.identity,
				InMemoryOK: n.Backend == cluster.KindEmbedded}}
			lp.conns[n.Name] = a
		}
		if lp.net != nil {
			accs = append(accs, lp.net.Link(id, a))
		} else {
			accs = append(accs, a)
		}
	}
	return f.PaxosConfig(accs)
}

// close closes the connections.
func (lp *localProposers) close() error {
	lp.mu.Lock()
	defer lp.mu.Unlock()
	var errs []error
	for _, a := range lp.conns {
		errs = append(errs, a.close())
	}
	return errors.Join(errs...)
}

// lazyAcceptor connects to its node on first use, and again after a
// failed attempt, so a node that was down when the configuration named
// it votes once it is up.
type lazyAcceptor struct {
	name, addr string
	opts       cluster.AcceptorOptions

	conn   atomic.Pointer[cluster.RedisAcceptor] // read without the lock on every call
	mu     sync.Mutex                            // serializes dialing and closing
	closed bool
}

var _ paxos.Acceptor = (*lazyAcceptor)(nil)

// Name implements paxos.Acceptor.
func (l *lazyAcceptor) Name() string { return l.name }

// Prepare implements paxos.Acceptor.
func (l *lazyAcceptor) Prepare(ctx context.Context, key string, b paxos.Ballot) (paxos.Promise, error) {
	a, err := l.get(ctx)
	if err != nil {
		return paxos.Promise{}, err
	}
	return a.Prepare(ctx, key, b)
}

// Accept implements paxos.Acceptor.
func (l *lazyAcceptor) Accept(ctx context.Context, key string, b paxos.Ballot, value []byte, next paxos.Ballot) error {
	a, err := l.get(ctx)
	if err != nil {
		return err
	}
	return a.Accept(ctx, key, b, value, next)
}

func (l *lazyAcceptor) get(ctx context.Context) (*cluster.RedisAcceptor, error) {
	if a := l.conn.Load(); a != nil {
		return a, nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil, fmt.Errorf("tui: the connection to %s is closed", l.name)
	}
	if a := l.conn.Load(); a != nil {
		return a, nil
	}
	a, err := cluster.DialAcceptor(ctx, l.opts)
	if err != nil {
		return nil, err
	}
	l.conn.Store(a)
	return a, nil
}

func (l *lazyAcceptor) close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.closed = true
	if a := l.conn.Load(); a != nil {
		return a.Close()
	}
	return nil
}
