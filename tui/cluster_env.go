package tui

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gryadka/gryadka/cluster"
	"github.com/gryadka/gryadka/paxos"
)

// ClusterNodes adapts cluster nodes to Nodes. It keeps one inspection
// connection per node, which does not check the cluster identity, so a
// wiped node can still be inspected.
type ClusterNodes struct {
	nodes   []*cluster.Node
	inspect map[string]*cluster.RedisAcceptor
}

var _ Nodes = (*ClusterNodes)(nil)

// NewClusterNodes connects to every node for inspection. template holds
// the connection options every node shares (namespace, TLS, InMemoryOK);
// its Endpoint name and address are taken from each node. Close closes
// the connections, not the nodes.
func NewClusterNodes(ctx context.Context, nodes []*cluster.Node, template cluster.AcceptorOptions) (*ClusterNodes, error) {
	c := &ClusterNodes{nodes: nodes, inspect: map[string]*cluster.RedisAcceptor{}}
	for _, n := range nodes {
		opts := template
		opts.Endpoint.Name, opts.Endpoint.Addr, opts.Identity = n.Name(), n.Addr(), ""
		opts.InMemoryOK = opts.InMemoryOK || n.Kind() == cluster.KindEmbedded
		a, err := cluster.DialAcceptor(ctx, opts)
		if err != nil {
			return nil, errors.Join(fmt.Errorf("tui: inspecting %s: %w", n.Name(), err), c.Close())
		}
		c.inspect[n.Name()] = a
	}
	return c, nil
}

// Close closes the inspection connections.
func (c *ClusterNodes) Close() error {
	var errs []error
	for _, a := range c.inspect {
		errs = append(errs, a.Close())
	}
	return errors.Join(errs...)
}

// List implements Nodes.
func (c *ClusterNodes) List() []NodeInfo {
	out := make([]NodeInfo, len(c.nodes))
	for i, n := range c.nodes {
		out[i] = NodeInfo{Name: n.Name(), Addr: n.Addr(), Backend: string(n.Kind()), State: n.State().String()}
	}
	return out
}

func (c *ClusterNodes) node(name string) (*cluster.Node, error) {
	for _, n := range c.nodes {
		if n.Name() == name {
			return n, nil
		}
	}
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
	a := c.inspect[name]
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
