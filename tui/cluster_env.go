package tui

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/gryadka/gryadka/cluster"
	"github.com/gryadka/gryadka/paxos"
)

// ClusterNodes adapts cluster nodes to Nodes. It keeps one inspection
// connection per node, which does not check the cluster identity, so a
// wiped node can still be inspected. Add lists a node that joined.
type ClusterNodes struct {
	template cluster.AcceptorOptions

	mu      sync.Mutex // guards nodes and inspect: Add runs beside the readers
	nodes   []*cluster.Node
	inspect map[string]*cluster.RedisAcceptor
}

var _ Nodes = (*ClusterNodes)(nil)

// NewClusterNodes connects to every node for inspection. template holds
// the connection options every node shares (namespace, TLS, InMemoryOK);
// its Endpoint name and address are taken from each node. Close closes
// the connections, not the nodes.
func NewClusterNodes(ctx context.Context, nodes []*cluster.Node, template cluster.AcceptorOptions) (*ClusterNodes, error) {
	c := &ClusterNodes{template: template, inspect: map[string]*cluster.RedisAcceptor{}}
	for _, n := range nodes {
		if err := c.Add(ctx, n); err != nil {
			return nil, errors.Join(err, c.Close())
		}
	}
	return c, nil
}

// Add connects to n for inspection and lists it last. A node listed
// already is left as it is.
func (c *ClusterNodes) Add(ctx context.Context, n *cluster.Node) error {
	if _, err := c.node(n.Name()); err == nil {
		return nil
	}
	opts := c.template
	opts.Endpoint.Name, opts.Endpoint.Addr, opts.Identity = n.Name(), n.Addr(), ""
	opts.InMemoryOK = opts.InMemoryOK || n.Kind() == cluster.KindEmbedded
	a, err := cluster.DialAcceptor(ctx, opts)
	if err != nil {
		return fmt.Errorf("tui: inspecting %s: %w", n.Name(), err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.nodes = append(c.nodes, n)
	c.inspect[n.Name()] = a
	return nil
}

// Close closes the inspection connections.
func (c *ClusterNodes) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var errs []error
	for _, a := range c.inspect {
		errs = append(errs, a.Close())
	}
	return errors.Join(errs...)
}

// List implements Nodes.
func (c *ClusterNodes) List() []NodeInfo {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]NodeInfo, len(c.nodes))
	for i, n := range c.nodes {
		out[i] = NodeInfo{Name: n.Name(), Addr: n.Addr(), Backend: string(n.Kind()), State: n.State().String()}
	}
	return out
}

func (c *ClusterNodes) node(name string) (*cluster.Node, error) {
	c.mu.Lock()
	for _, n := range c.nodes {
		if n.Name() == name {
			c.mu.Unlock()
			return n, nil
		}
	}
	c.mu.Unlock()
	return nil, fmt.Errorf("tui: there is no node %q; the nodes are %v", name, nodeNames(c.List()))
}

// Do implements Nodes.
func (c *ClusterNodes) Do(ctx context.Context, name string, a NodeAction) error {
	n, err := c.node(name)
	if err != nil {
		return err
	}
	switch a {
	case NodeKill:
		return n.Kill()
	case NodePause:
		return n.Pause()
	case NodeResume:
		return n.Resume()
	case NodeRestart:
		return n.Restart(ctx)
	case NodeWipe:
		return n.Wipe(ctx)
	}
	return fmt.Errorf("tui: unknown node action %v", a)
}

func (c *ClusterNodes) acceptor(name string) (*cluster.RedisAcceptor, error) {
	c.mu.Lock()
	a := c.inspect[name]
	c.mu.Unlock()
	if a == nil {
		return nil, fmt.Errorf("tui: there is no node %q", name)
	}
	return a, nil
}

// Inspect implements Nodes.
func (c *ClusterNodes) Inspect(ctx context.Context, name, key string) (paxos.MemState, error) {
	a, err := c.acceptor(name)
	if err != nil {
		return paxos.MemState{}, err
	}
	return a.State(ctx, key)
}

// Keys implements Nodes.
func (c *ClusterNodes) Keys(ctx context.Context, name, match string, count int) ([]string, error) {
	a, err := c.acceptor(name)
	if err != nil {
		return nil, err
	}
	return a.Keys(ctx, match, count)
}

// Digest implements Nodes.
func (c *ClusterNodes) Digest(ctx context.Context, name string) (string, error) {
	a, err := c.acceptor(name)
	if err != nil {
		return "", err
	}
	return a.Digest(ctx)
}

// NetworkLinks adapts a cluster.Network to Links. Partitions fail fast,
// drops lose requests and replies alike, and delays add a fifth of jitter.
type NetworkLinks struct{ N *cluster.Network }

var _ Links = NetworkLinks{}

// Partition implements Links.
func (l NetworkLinks) Partition(p, a string) error { return l.N.Partition(p, a, cluster.FailFast) }

// OneWay implements Links.
func (l NetworkLinks) OneWay(p, a string) error { return l.N.OneWay(p, a) }

// Drop implements Links.
func (l NetworkLinks) Drop(p, a string, prob float64) error { return l.N.Drop(p, a, prob, prob) }

// Delay implements Links.
func (l NetworkLinks) Delay(p, a string, d time.Duration) error { return l.N.Delay(p, a, d, d/5) }

// Heal implements Links.
func (l NetworkLinks) Heal(p, a string) error { return l.N.Heal(p, a) }

// HealAll implements Links.
func (l NetworkLinks) HealAll() { l.N.HealAll() }

// Faults implements Links.
func (l NetworkLinks) Faults() []string {
	fs := l.N.Faults()
	out := make([]string, 0, len(fs))
	for _, f := range fs {
		if f.Kind != cluster.FaultUp {
			out = append(out, f.String())
		}
	}
	return out
}

// SetStep implements Links.
func (l NetworkLinks) SetStep(on bool) { l.N.SetStep(on) }

// Step implements Links.
func (l NetworkLinks) Step() bool { return l.N.Step() }

// Held implements Links.
func (l NetworkLinks) Held() []HeldMessage {
	hs := l.N.Held()
	out := make([]HeldMessage, len(hs))
	for i, h := range hs {
		out[i] = HeldMessage{ID: h.ID, Proposer: h.Proposer, Acceptor: h.Acceptor, Reply: h.Direction == cluster.DirectionReply,
			Phase: h.Phase, Ballot: h.Ballot, Key: h.Key, Summary: h.Summary}
	}
	return out
}

// Deliver implements Links.
func (l NetworkLinks) Deliver(id uint64) error { return l.N.Deliver(id) }

// DropHeld implements Links.
func (l NetworkLinks) DropHeld(id uint64) error { return l.N.DropHeld(id) }

// DeliverNext implements Links.
func (l NetworkLinks) DeliverNext() error { return l.N.DeliverNext() }

// Identity returns the cluster identity the first node that answers holds.
func (c *ClusterNodes) Identity(ctx context.Context) (string, error) {
	err := errors.New("tui: no node holds a cluster identity")
	for _, n := range c.List() {
		a, aerr := c.acceptor(n.Name)
		if aerr != nil {
			continue
		}
		id, ierr := a.Identity(ctx)
		if ierr == nil && id != "" {
			return id, nil
		}
		if ierr != nil {
			err = ierr
		}
	}
	return "", err
}
