package cluster

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
)

// AddNode starts one more node of the cluster's kind, named after the
// highest existing one (a4 after a3), and returns it. The node is empty
// and holds no identity: it is in no configuration and votes nowhere
// until a membership change joins it (see Membership). A node that fails
// to start is stopped and not kept.
func (l *Local) AddNode(ctx context.Context) (*Node, error) {
	l.mu.Lock()
	name := nextNodeName(l.nodes)
	l.mu.Unlock()
	opts := NodeOptions{Name: name, Kind: l.kind, RedisServer: l.opts.RedisServer,
		Detach: l.opts.Detach, Tracer: l.opts.Tracer}
	if l.kind == KindProcess {
		opts.Dir = filepath.Join(l.dir, name)
	}
	n, err := NewNode(opts)
	if err != nil {
		return nil, err
	}
	if err := n.Start(ctx); err != nil {
		return nil, errors.Join(fmt.Errorf("cluster: adding node %s: %w", name, err), n.Close())
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if nextNodeName(l.nodes) != name {
		return nil, errors.Join(fmt.Errorf("cluster: adding node %s: another node took the name meanwhile", name), n.Close())
	}
	l.nodes = append(l.nodes, n)
	return n, nil
}

// nextNodeName returns "aN" for the smallest N above every node named
// "a<number>", so a removed node's name is never reused.
func nextNodeName(nodes []*Node) string {
	highest := 0
	for _, n := range nodes {
		var k int
		if _, err := fmt.Sscanf(n.Name(), "a%d", &k); err == nil && fmt.Sprintf("a%d", k) == n.Name() {
			highest = max(highest, k)
		}
	}
	return fmt.Sprintf("a%d", highest+1)
}

// snapshot returns the nodes under the lock, since AddNode may append.
func (l *Local) snapshot() []*Node {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]*Node(nil), l.nodes...)
}
