package cluster

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"

	"github.com/gryadka/gryadka/paxos"
)

// BackendAuto picks the process backend when redis-server is on PATH and
// the embedded one otherwise.
const BackendAuto = "auto"

// ResolveBackend turns a backend name into a kind of local node: "" and
// "embedded" give KindEmbedded, "process" KindProcess, "auto" whichever
// BackendAuto picks.
func ResolveBackend(name string) (NodeKind, error) {
	switch name {
	case "", string(KindEmbedded):
		return KindEmbedded, nil
	case string(KindProcess):
		return KindProcess, nil
	case BackendAuto:
		if _, err := exec.LookPath("redis-server"); err == nil {
			return KindProcess, nil
		}
		return KindEmbedded, nil
	}
	return "", fmt.Errorf("cluster: unknown backend %q: want embedded, process or auto", name)
}

// LocalOptions configure StartLocal.
type LocalOptions struct {
	// Nodes is how many nodes to start, named a1..aN (default 3).
	Nodes int
	// Backend is "embedded" (the default), "process" or "auto".
	Backend string
	// Dir holds one data directory per process node (D/a1, D/a2…). Empty
	// uses a temporary directory, removed by Close.
	Dir string
	// Identity is the cluster identity the nodes join with. Empty makes a
	// fresh one; give the old one to start a stopped cluster again on the
	// data directories it left.
	Identity string
	// Namespace prefixes the keys in Redis (default DefaultNamespace).
	Namespace string
	// Detach lets process nodes outlive this program (gryadka up).
	Detach bool
	// RedisServer is the redis-server binary; empty looks it up on PATH.
	RedisServer string
	// Tracer, if not nil, receives the nodes' NodeStateChanged events.
	Tracer paxos.Tracer
}

// Local is a cluster of nodes started on this machine, each holding the
// same fresh identity. It is safe for concurrent use.
type Local struct {
	opts     LocalOptions
	kind     NodeKind
	dir      string
	tempDir  bool
	identity string
	nodes    []*Node

	mu        sync.Mutex
	acceptors []*RedisAcceptor // dialled by Acceptors, closed by Close
}

// StartLocal starts opts.Nodes nodes and has each join a new cluster
// identity. On an error, whatever was started is stopped.
func StartLocal(ctx context.Context, opts LocalOptions) (*Local, error) {
	if opts.Nodes == 0 {
		opts.Nodes = 3
	}
	if opts.Nodes < 1 || opts.Nodes > 99 {
		return nil, fmt.Errorf("cluster: %d nodes: want 1 to 99", opts.Nodes)
	}
	kind, err := ResolveBackend(opts.Backend)
	if err != nil {
		return nil, err
	}
	l := &Local{opts: opts, kind: kind, dir: opts.Dir, identity: opts.Identity}
	if l.identity == "" {
		var id [8]byte
		if _, err := rand.Read(id[:]); err != nil {
			return nil, fmt.Errorf("cluster: identity: %w", err)
		}
		l.identity = "gryadka-" + hex.EncodeToString(id[:])
	}
	if kind == KindProcess && l.dir == "" {
		if l.dir, err = os.MkdirTemp("", "gryadka-"); err != nil {
			return nil, fmt.Errorf("cluster: data directory: %w", err)
		}
		l.tempDir = true
	}
	if err := l.start(ctx); err != nil {
		return nil, errors.Join(err, l.Close())
	}
	return l, nil
}

// start creates the nodes, then starts them and has them join the
// identity, all nodes at once.
func (l *Local) start(ctx context.Context) error {
	for i := range l.opts.Nodes {
		name := fmt.Sprintf("a%d", i+1)
		opts := NodeOptions{Name: name, Kind: l.kind, RedisServer: l.opts.RedisServer,
			Detach: l.opts.Detach, Tracer: l.opts.Tracer}
		if l.kind == KindProcess {
			opts.Dir = filepath.Join(l.dir, name)
		}
		n, err := NewNode(opts)
		if err != nil {
			return err
		}
		l.nodes = append(l.nodes, n)
	}
	errs := make([]error, len(l.nodes))
	var wg sync.WaitGroup
	for i, n := range l.nodes {
		wg.Go(func() { errs[i] = l.join(ctx, n) })
	}
	wg.Wait()
	return errors.Join(errs...)
}

func (l *Local) join(ctx context.Context, n *Node) error {
	if err := n.Start(ctx); err != nil {
		return err
	}
	a, err := DialAcceptor(ctx, l.acceptorOptions(n, ""))
	if err != nil {
		return err
	}
	defer a.Close()
	return a.Join(ctx, l.identity)
}

func (l *Local) acceptorOptions(n *Node, identity string) AcceptorOptions {
	return AcceptorOptions{
		Endpoint:   Endpoint{Name: n.Name(), Addr: n.Addr()},
		Namespace:  l.opts.Namespace,
		Identity:   identity,
		InMemoryOK: n.Kind() == KindEmbedded,
	}
}

// Kind returns the kind of the cluster's nodes.
func (l *Local) Kind() NodeKind { return l.kind }

// Identity returns the identity every node joined with.
func (l *Local) Identity() string { return l.identity }

// Dir returns the directory of the process nodes' data, or "".
func (l *Local) Dir() string { return l.dir }

// Nodes returns the nodes, a1 first.
func (l *Local) Nodes() []*Node { return l.snapshot() }

// Node returns the node called name.
func (l *Local) Node(name string) (*Node, error) {
	nodes := l.snapshot()
	names := make([]string, len(nodes))
	for i, n := range nodes {
		if n.Name() == name {
			return n, nil
		}
		names[i] = n.Name()
	}
	return nil, fmt.Errorf("cluster: no node %q: the nodes are %s", name, strings.Join(names, ", "))
}

// File describes the cluster with a majority configuration, as written
// to D/cluster.json.
func (l *Local) File() File {
	f := File{Version: FileVersion, Identity: l.identity, Namespace: l.opts.Namespace}
	nodes := l.snapshot()
	names := make([]string, len(nodes))
	for i, n := range nodes {
		names[i] = n.Name()
		f.Nodes = append(f.Nodes, FileNode{Name: n.Name(), Addr: n.Addr(), Backend: n.Kind(), Dir: n.Dir(), PID: n.PID()})
	}
	f.Config = MajorityConfig(names...)
	return f
}

// Acceptors connects to every node as the acceptors of proposer, which
// refuse a node that does not hold the cluster identity. When network is
// not nil, each acceptor is reached through its link from proposer. Close
// closes the connections.
func (l *Local) Acceptors(ctx context.Context, proposer string, network *Network) ([]paxos.Acceptor, error) {
	nodes := l.snapshot()
	accs := make([]paxos.Acceptor, 0, len(nodes))
	for _, n := range nodes {
		a, err := DialAcceptor(ctx, l.acceptorOptions(n, l.identity))
		if err != nil {
			return nil, err
		}
		l.mu.Lock()
		l.acceptors = append(l.acceptors, a)
		l.mu.Unlock()
		if network != nil {
			accs = append(accs, network.Link(proposer, a))
		} else {
			accs = append(accs, a)
		}
	}
	return accs, nil
}

// Proposer returns a proposer over every node with the majority
// configuration, reached through network when it is not nil. The
// configuration in opts is replaced.
func (l *Local) Proposer(ctx context.Context, opts paxos.Options, network *Network) (*paxos.Proposer, error) {
	accs, err := l.Acceptors(ctx, opts.ID, network)
	if err != nil {
		return nil, err
	}
	opts.Config = paxos.Majority(accs...)
	return paxos.NewProposer(opts)
}

// Close closes the acceptors dialled by Acceptors and stops every node. A
// temporary data directory is removed; one given in the options is kept.
func (l *Local) Close() error {
	l.mu.Lock()
	accs := l.acceptors
	l.acceptors = nil
	l.mu.Unlock()
	var errs []error
	for _, a := range accs {
		errs = append(errs, a.Close())
	}
	for _, n := range l.snapshot() {
		errs = append(errs, n.Close())
	}
	if l.tempDir {
		errs = append(errs, os.RemoveAll(l.dir))
	}
	return errors.Join(errs...)
}
