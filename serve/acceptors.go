package serve

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/gryadka/gryadka/cluster"
	"github.com/gryadka/gryadka/paxos"
)

// redialEvery is how often an acceptor that could not be dialed tries
// again, at most.
const redialEvery = time.Second

// node is one node the configuration names: the connection to it, which
// the server closes when the node leaves the configuration.
type node struct {
	file cluster.FileNode
	conn *redial        // the connection
	acc  paxos.Acceptor // conn, wrapped by Options.Link
}

// redial is an acceptor that dials its node on first use and again, at
// most every redialEvery, while the node cannot be reached. Once dialed,
// the RedisAcceptor reconnects by itself when the node restarts. Calls
// made while the node is unreachable fail at once with the dial error, so
// the proposer counts a missing vote.
type redial struct {
	name string
	opts cluster.AcceptorOptions

	mu      sync.Mutex
	a       *cluster.RedisAcceptor
	err     error
	last    time.Time
	dialing bool
	closed  bool
}

var _ paxos.Acceptor = (*redial)(nil)

var errClosed = errors.New("serve: the connection to the node is closed")

func newRedial(opts cluster.AcceptorOptions) *redial {
	return &redial{name: opts.Endpoint.Name, opts: opts}
}

// dial connects now, unless it is connected already, and reports the
// error of the attempt.
func (r *redial) dial(ctx context.Context) error {
	r.mu.Lock()
	if r.a != nil || r.closed {
		r.mu.Unlock()
		return nil
	}
	r.dialing = true
	r.mu.Unlock()
	a, err := cluster.DialAcceptor(ctx, r.opts)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.dialing, r.last, r.err = false, time.Now(), err
	if err != nil {
		return err
	}
	if r.closed {
		_ = a.Close()
		return errClosed
	}
	r.a = a
	return nil
}

// get returns the connection, dialing when the last attempt is old enough.
func (r *redial) get(ctx context.Context) (*cluster.RedisAcceptor, error) {
	r.mu.Lock()
	a, err, closed := r.a, r.err, r.closed
	retry := a == nil && !closed && !r.dialing && time.Since(r.last) >= redialEvery
	r.mu.Unlock()
	switch {
	case closed:
		return nil, errClosed
	case a != nil:
		return a, nil
	case !retry:
		return nil, err
	}
	if err := r.dial(ctx); err != nil {
		return nil, err
	}
	return r.get(ctx)
}

// Name implements paxos.Acceptor.
func (r *redial) Name() string { return r.name }

// Prepare implements paxos.Acceptor.
func (r *redial) Prepare(ctx context.Context, key string, b paxos.Ballot) (paxos.Promise, error) {
	a, err := r.get(ctx)
	if err != nil {
		return paxos.Promise{}, err
	}
	return a.Prepare(ctx, key, b)
}

// Accept implements paxos.Acceptor.
func (r *redial) Accept(ctx context.Context, key string, b paxos.Ballot, value []byte, next paxos.Ballot) error {
	a, err := r.get(ctx)
	if err != nil {
		return err
	}
	return a.Accept(ctx, key, b, value, next)
}

// ping reports whether the node answers now.
func (r *redial) ping(ctx context.Context) error {
	a, err := r.get(ctx)
	if err != nil {
		return err
	}
	_, err = a.Ping(ctx)
	return err
}

// Close closes the connection; later calls fail.
func (r *redial) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = true
	if r.a == nil {
		return nil
	}
	err := r.a.Close()
	r.a = nil
	return err
}

// dialAll dials every node at once. Each gets a connection, reachable or
// not; errs holds the dial error of each, by position.
func (s *Server) dialAll(ctx context.Context, nodes []cluster.FileNode) ([]*node, []error, error) {
	out := make([]*node, len(nodes))
	errs := make([]error, len(nodes))
	for i, n := range nodes {
		ep, err := cluster.ParseEndpoint(n.Name, n.Addr)
		if err != nil {
			return nil, nil, err
		}
		conn := newRedial(cluster.AcceptorOptions{Endpoint: ep, Namespace: s.opts.File.Namespace,
			Identity: s.opts.File.Identity, Timeout: s.opts.AcceptorTimeout,
			InMemoryOK: n.Backend == cluster.KindEmbedded})
		acc := paxos.Acceptor(conn)
		if s.opts.Link != nil {
			acc = s.opts.Link(conn)
		}
		out[i] = &node{file: n, conn: conn, acc: acc}
	}
	var wg sync.WaitGroup
	for i, n := range out {
		wg.Go(func() { errs[i] = n.conn.dial(ctx) })
	}
	wg.Wait()
	return out, errs, nil
}
