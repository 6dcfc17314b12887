package cluster

import (
	"context"
	"fmt"
	"regexp"
	"sync"
	"time"

	"github.com/gryadka/gryadka/paxos"
)

// NodeKind says how a node runs.
type NodeKind string

// The kinds of node.
const (
	// KindEmbedded is an in-process Redis (miniredis) on a loopback port:
	// nothing to install, data in memory only.
	KindEmbedded NodeKind = "embedded"
	// KindProcess is a redis-server child process in a data directory we
	// own, with a durable acceptor configuration.
	KindProcess NodeKind = "process"
	// KindRemote is an existing Redis we attach to. Its lifecycle is not
	// ours: it can only be cut off with link faults.
	KindRemote NodeKind = "remote"
)

var nodeNamePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$`)

// NodeOptions describe a node to create with NewNode.
type NodeOptions struct {
	// Name identifies the node, "a1": letters, digits, '-' or '_'.
	Name string
	// Kind is how the node runs.
	Kind NodeKind
	// Addr is the host:port of a remote node; local nodes choose their own.
	Addr string
	// Port is the loopback port of a local node; 0 picks a free one.
	Port int
	// Dir is the data directory of a process node, created if missing.
	Dir string
	// RedisServer is the redis-server binary of a process node; empty looks
	// it up on PATH.
	RedisServer string
	// Detach lets a process node outlive this program (gryadka up): it runs
	// in its own session and is not killed when its parent dies.
	Detach bool
	// StartTimeout bounds how long a start waits for the node to answer
	// PING (default 10s).
	StartTimeout time.Duration
	// Tracer, if not nil, receives a NodeStateChanged at every change.
	Tracer paxos.Tracer
	// Now stamps events (default time.Now).
	Now func() time.Time
}

// backend runs one kind of local node. Node serializes the calls and
// checks the states, so a backend only does the mechanics.
type backend interface {
	// start runs the node on its address with the data it has, and returns
	// once it answers. exited is called if it later stops on its own.
	start(ctx context.Context, exited func()) error
	kill() error   // crash: stop at once, refuse connections, keep data
	pause() error  // freeze: requests hang until resume
	resume() error // requests held by pause execute
	erase() error  // drop all data; called while down
	addr() string
	pid() int
}

// Node is one Redis acceptor with a lifecycle: it can be killed, paused,
// resumed, restarted with its data, and wiped. A remote node is only
// attached: every action on it fails with ErrRemoteNode. Node is safe for
// concurrent use; actions run one at a time, and the getters never wait
// for an action to finish.
type Node struct {
	name   string
	kind   NodeKind
	opts   NodeOptions
	b      backend // nil for remote nodes
	tracer paxos.Tracer

	act sync.Mutex // serializes the actions; held while the backend works

	mu       sync.Mutex // guards what follows; never held while the backend works
	state    NodeState
	addr     string
	pid      int
	wiped    bool // emptied and not re-added yet
	closed   bool
	gen      uint64 // counts starts and kills, to ignore stale exit reports
	resumeTo NodeState
}

// NewNode checks opts and returns the node, down (or up, for a remote
// node). Start a local node with Start.
func NewNode(opts NodeOptions) (*Node, error) {
	if !nodeNamePattern.MatchString(opts.Name) {
		return nil, fmt.Errorf("cluster: node name %q: use 1 to 32 letters, digits, '-' or '_'", opts.Name)
	}
	if opts.StartTimeout <= 0 {
		opts.StartTimeout = 10 * time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	n := &Node{name: opts.Name, kind: opts.Kind, opts: opts, tracer: opts.Tracer}
	var err error
	switch opts.Kind {
	case KindEmbedded:
		n.b = newEmbedded(opts)
	case KindProcess:
		var p *process
		if p, err = newProcess(opts); err == nil {
			n.b, n.opts.Dir = p, p.dir
		}
	case KindRemote:
		if opts.Addr == "" {
			return nil, fmt.Errorf("cluster: remote node %s: no address given", opts.Name)
		}
		n.state, n.addr = NodeUp, opts.Addr
	default:
		return nil, fmt.Errorf("cluster: node %s: unknown kind %q: want embedded, process or remote", opts.Name, opts.Kind)
	}
	if err != nil {
		return nil, err
	}
	return n, nil
}

// Name returns the node's name, "a1".
func (n *Node) Name() string { return n.name }

// Kind returns how the node runs.
func (n *Node) Kind() NodeKind { return n.kind }

// Addr returns the node's host:port; a local node without a fixed port
// has none before its first start. The address stays through restarts.
func (n *Node) Addr() string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.addr
}

// Dir returns the data directory of a process node, or "".
func (n *Node) Dir() string {
	if n.kind != KindProcess {
		return ""
	}
	return n.opts.Dir
}

// PID returns the process ID of a running process node, or 0.
func (n *Node) PID() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.pid
}

// State returns the node's state.
func (n *Node) State() NodeState {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.state
}

// Start runs a down node with the data it has and waits until it answers.
func (n *Node) Start(ctx context.Context) error {
	n.act.Lock()
	defer n.act.Unlock()
	if _, err := n.check("start", NodeDown); err != nil {
		return err
	}
	return n.start(ctx)
}

// Kill crashes the node: requests in flight fail, new connections are
// refused, and the data stays for a restart.
func (n *Node) Kill() error {
	n.act.Lock()
	defer n.act.Unlock()
	if _, err := n.check("kill", NodeUp, NodePaused, NodeWiped); err != nil {
		return err
	}
	return n.kill()
}

// Pause freezes the node: requests hang, and execute late once it is
// resumed, like messages delayed in the network.
func (n *Node) Pause() error {
	n.act.Lock()
	defer n.act.Unlock()
	state, err := n.check("pause", NodeUp, NodeWiped)
	if err != nil {
		return err
	}
	if err := n.b.pause(); err != nil {
		return fmt.Errorf("cluster: pause %s: %w", n.name, err)
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	n.resumeTo = state
	n.setLocked(NodePaused)
	return nil
}

// Resume lets a paused node execute the requests it holds and go on.
func (n *Node) Resume() error {
	n.act.Lock()
	defer n.act.Unlock()
	if _, err := n.check("resume", NodePaused); err != nil {
		return err
	}
	if err := n.b.resume(); err != nil {
		return fmt.Errorf("cluster: resume %s: %w", n.name, err)
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	n.setLocked(n.resumeTo)
	return nil
}

// Restart crashes the node if it runs and starts it again with the same
// data, as a durable node comes back after a power cut.
func (n *Node) Restart(ctx context.Context) error {
	n.act.Lock()
	defer n.act.Unlock()
	state, err := n.check("restart", NodeDown, NodeUp, NodePaused, NodeWiped)
	if err != nil {
		return err
	}
	if state != NodeDown {
		if err := n.kill(); err != nil {
			return err
		}
	}
	return n.start(ctx)
}

// Wipe crashes the node, erases its data and starts it empty, as after a
// disk failure. The node is NodeWiped until MarkJoined.
func (n *Node) Wipe(ctx context.Context) error {
	n.act.Lock()
	defer n.act.Unlock()
	state, err := n.check("wipe", NodeDown, NodeUp, NodePaused, NodeWiped)
	if err != nil {
		return err
	}
	if state != NodeDown {
		if err := n.kill(); err != nil {
			return err
		}
	}
	if err := n.b.erase(); err != nil {
		return fmt.Errorf("cluster: wipe %s: %w", n.name, err)
	}
	n.mu.Lock()
	n.wiped = true
	n.mu.Unlock()
	return n.start(ctx)
}

// MarkJoined records that a wiped node holds the cluster identity again,
// once the membership procedure has re-added it; it then shows as up.
func (n *Node) MarkJoined() {
	n.act.Lock()
	defer n.act.Unlock()
	n.mu.Lock()
	defer n.mu.Unlock()
	n.wiped = false
	switch n.state {
	case NodeWiped:
		n.setLocked(NodeUp)
	case NodePaused:
		n.resumeTo = NodeUp
	}
}

// Close stops a local node for good; a closed node refuses every action.
// The data directory of a process node is left in place.
func (n *Node) Close() error {
	n.act.Lock()
	defer n.act.Unlock()
	n.mu.Lock()
	closed, state := n.closed, n.state
	n.closed = true
	n.mu.Unlock()
	if closed || n.b == nil || state == NodeDown {
		return nil
	}
	return n.kill()
}

// check returns the node's state, or an *ActionError unless the node is
// local, open and in one of the states.
func (n *Node) check(action string, states ...NodeState) (NodeState, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	e := &ActionError{Node: n.name, Action: action, State: n.state}
	switch {
	case n.b == nil:
		e.Err = ErrRemoteNode
	case n.closed:
		e.Err = ErrNodeClosed
	default:
		for _, s := range states {
			if s == n.state {
				return n.state, nil
			}
		}
		e.Err = ErrNodeState
	}
	return n.state, e
}

// start runs the backend; the caller holds act.
func (n *Node) start(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, n.opts.StartTimeout)
	defer cancel()
	n.mu.Lock()
	n.gen++
	gen := n.gen
	n.mu.Unlock()
	if err := n.b.start(ctx, func() { n.exited(gen) }); err != nil {
		return fmt.Errorf("cluster: start %s: %w", n.name, err)
	}
	addr, pid := n.b.addr(), n.b.pid()
	n.mu.Lock()
	defer n.mu.Unlock()
	n.addr, n.pid = addr, pid
	if n.wiped {
		n.setLocked(NodeWiped)
	} else {
		n.setLocked(NodeUp)
	}
	return nil
}

// kill stops the backend; the caller holds act.
func (n *Node) kill() error {
	n.mu.Lock()
	n.gen++ // the exit we cause is not news
	n.mu.Unlock()
	if err := n.b.kill(); err != nil {
		return fmt.Errorf("cluster: kill %s: %w", n.name, err)
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	n.pid = 0
	n.setLocked(NodeDown)
	return nil
}

// exited is called by a backend whose node stopped on its own.
func (n *Node) exited(gen uint64) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if gen == n.gen && n.state != NodeDown {
		n.pid = 0
		n.setLocked(NodeDown)
	}
}

func (n *Node) setLocked(s NodeState) {
	if n.state == s {
		return
	}
	n.state = s
	if n.tracer != nil && n.tracer.Enabled() {
		n.tracer.Trace(NodeStateChanged{At: n.opts.Now(), Node: n.name, State: s})
	}
}
