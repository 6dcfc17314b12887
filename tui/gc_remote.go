package tui

import (
	"context"
	"fmt"
	"time"

	"github.com/gryadka/gryadka/cluster"
	"github.com/gryadka/gryadka/gc"
	"github.com/gryadka/gryadka/paxos"
	"github.com/gryadka/gryadka/serve"
)

// remoteCollector returns the dial function of the dashboard's GC when it
// is attached to serve proposers: each collection invalidates and fences
// every attached proposer through its admin API, and collects from every
// node the proposers' current configurations name, through the
// inspection connections of nodes (a node named there for the first time
// is connected to and listed). Those connections do not check the
// cluster identity: the nodes are the ones the proposers use.
func remoteCollector(serves []*serve.Client, nodes *ClusterNodes, bus paxos.Tracer) func(ctx context.Context) (*gc.Collector, func(), error) {
	procs := serve.NewProposers(serves...)
	return func(ctx context.Context) (*gc.Collector, func(), error) {
		names, err := remoteConfigNodes(ctx, serves, nodes, bus)
		if err != nil {
			return nil, nil, err
		}
		accs := make([]gc.Acceptor, len(names))
		for i, name := range names {
			if accs[i], err = nodes.acceptor(name); err != nil {
				return nil, nil, err
			}
		}
		c, err := gc.New(gc.Config{Acceptors: accs, Proposers: procs, Tracer: bus, Grace: time.Second})
		if err != nil {
			return nil, nil, err
		}
		return c, func() {}, nil
	}
}

// remoteConfigNodes reads every proposer's configuration and returns the
// names of the nodes any of them uses, connecting nodes to the ones not
// listed yet.
func remoteConfigNodes(ctx context.Context, serves []*serve.Client, nodes *ClusterNodes, bus paxos.Tracer) ([]string, error) {
	var names []string
	seen := map[string]bool{}
	for _, c := range serves {
		cctx, cancel := context.WithTimeout(ctx, actionTimeout)
		doc, err := c.Config(cctx)
		cancel()
		if err != nil {
			return nil, fmt.Errorf("tui: garbage collection needs every proposer's configuration, and %s did not give it: %w", c.URL(), err)
		}
		for _, fn := range doc.Nodes {
			if seen[fn.Name] || !inConfig(doc.Config, fn.Name) {
				continue
			}
			seen[fn.Name] = true
			names = append(names, fn.Name)
			if _, err := nodes.acceptor(fn.Name); err == nil {
				continue
			}
			n, err := cluster.NewNode(cluster.NodeOptions{Name: fn.Name, Kind: cluster.KindRemote, Addr: fn.Addr, Tracer: bus})
			if err != nil {
				return nil, fmt.Errorf("tui: %s names node %s badly: %w", c.URL(), fn.Name, err)
			}
			if err := nodes.Add(ctx, n); err != nil {
				return nil, fmt.Errorf("tui: garbage collection needs every node, and %s cannot be reached: %w", fn.Name, err)
			}
		}
	}
	return names, nil
}
