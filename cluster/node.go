package cluster

import (
	"context"
	"errors"
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

// Lifecycle errors, wrapped by *ActionError.
var (
	// ErrRemoteNode: the action needs a node we run ourselves.
	ErrRemoteNode = errors.New("cluster: action not available on a remote node")
	// ErrNodeState: the node is not in a state the action applies to.
	ErrNodeState = errors.New("cluster: action not available in the node's state")
	// ErrNodeClosed: the node was closed and can do nothing more.
	ErrNodeClosed = errors.New("cluster: node closed")
)

// ActionError explains why a lifecycle action was refused, for example
// "a2 is a remote node: kill is not available; use link faults".
type ActionError struct {
	Node   string
	Action string
	State  NodeState
	Err    error // ErrRemoteNode, ErrNodeState or ErrNodeClosed
}

func (e *ActionError) Error() string {
	switch {
	case errors.Is(e.Err, ErrRemoteNode):
		return fmt.Sprintf("%s is a remote node: %s is not available; use link faults", e.Node, e.Action)
	case errors.Is(e.Err, ErrNodeClosed):
		return fmt.Sprintf("%s is closed: %s is not available", e.Node, e.Action)
	case e.State == NodeDown:
		return fmt.Sprintf("%s is down: %s is not available; restart it first", e.Node, e.Action)
	case e.State == NodePaused:
		return fmt.Sprintf("%s is paused: %s is not available; resume it first", e.Node, e.Action)
	}
	return fmt.Sprintf("%s is %s: %s is not available", e.Node, e.State, e.Action)
}

func (e *ActionError) Unwrap() error { return e.Err }

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
// concurrent use; actions run one at a time.
type Node struct {
	name   string
	kind   NodeKind
	opts   NodeOptions
	b      backend // nil for remote nodes
	tracer paxos.Tracer

	mu       sync.Mutex
	state    NodeState
	wiped    bool // emptied and not re-added yet
	closed   bool
	gen      uint64 // counts starts, to ignore stale exit reports
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
		n.state = NodeUp
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

// Addr returns the node's host:port.
func (n *Node) Addr() string {
	if n.b == nil {
		return n.opts.Addr
	}
	return n.b.addr()
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
	if n.b == nil {
		return 0
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.b.pid()
}

// State returns the node's state.
func (n *Node) State() NodeState {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.state
}

// Start runs a down node with the data it has and waits until it answers.
func (n *Node) Start(ctx context.Context) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if err := n.check("start", NodeDown); err != nil {
		return err
	}
	return n.startLocked(ctx)
}

// Kill crashes the node: requests in flight fail, new connections are
// refused, and the data stays for a restart.
func (n *Node) Kill() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if err := n.check("kill", NodeUp, NodePaused, NodeWiped); err != nil {
		return err
	}
	return n.killLocked()
}

// Pause freezes the node: requests hang, and execute late once it is
// resumed, like messages delayed in the network.
func (n *Node) Pause() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if err := n.check("pause", NodeUp, NodeWiped); err != nil {
		return err
	}
	if err := n.b.pause(); err != nil {
		return fmt.Errorf("cluster: pause %s: %w", n.name, err)
	}
	n.resumeTo = n.state
	n.setLocked(NodePaused)
	return nil
}

// Resume lets a paused node execute the requests it holds and go on.
func (n *Node) Resume() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if err := n.check("resume", NodePaused); err != nil {
		return err
	}
	if err := n.b.resume(); err != nil {
		return fmt.Errorf("cluster: resume %s: %w", n.name, err)
	}
	n.setLocked(n.resumeTo)
	return nil
}

// Restart crashes the node if it runs and starts it again with the same
// data, as a durable node comes back after a power cut.
func (n *Node) Restart(ctx context.Context) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if err := n.check("restart", NodeDown, NodeUp, NodePaused, NodeWiped); err != nil {
		return err
	}
	if n.state != NodeDown {
		if err := n.killLocked(); err != nil {
			return err
		}
	}
	return n.startLocked(ctx)
}

// Wipe crashes the node, erases its data and starts it empty, as after a
// disk failure. The node is NodeWiped until MarkJoined.
func (n *Node) Wipe(ctx context.Context) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if err := n.check("wipe", NodeDown, NodeUp, NodePaused, NodeWiped); err != nil {
		return err
	}
	if n.state != NodeDown {
		if err := n.killLocked(); err != nil {
			return err
		}
	}
	if err := n.b.erase(); err != nil {
		return fmt.Errorf("cluster: wipe %s: %w", n.name, err)
	}
	n.wiped = true
	return n.startLocked(ctx)
}

// MarkJoined records that a wiped node holds the cluster identity again,
// once the membership procedure has re-added it; it then shows as up.
func (n *Node) MarkJoined() {
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
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return nil
	}
	var err error
	if n.b != nil && n.state != NodeDown {
		err = n.killLocked()
	}
	n.closed = true
	return err
}

// check returns an *ActionError unless the node is local, open and in one
// of the states.
func (n *Node) check(action string, states ...NodeState) error {
	e := &ActionError{Node: n.name, Action: action, State: n.state}
	switch {
	case n.b == nil:
		e.Err = ErrRemoteNode
	case n.closed:
		e.Err = ErrNodeClosed
	default:
		for _, s := range states {
			if s == n.state {
				return nil
			}
		}
		e.Err = ErrNodeState
	}
	return e
}

func (n *Node) startLocked(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, n.opts.StartTimeout)
	defer cancel()
	n.gen++
	gen := n.gen
	if err := n.b.start(ctx, func() { n.exited(gen) }); err != nil {
		return fmt.Errorf("cluster: start %s: %w", n.name, err)
	}
	if n.wiped {
		n.setLocked(NodeWiped)
	} else {
		n.setLocked(NodeUp)
	}
	return nil
}

func (n *Node) killLocked() error {
	n.gen++ // the exit we cause is not news
	if err := n.b.kill(); err != nil {
		return fmt.Errorf("cluster: kill %s: %w", n.name, err)
	}
	n.setLocked(NodeDown)
	return nil
}

// exited is called by a backend whose node stopped on its own.
func (n *Node) exited(gen uint64) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if gen == n.gen && n.state != NodeDown {
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
