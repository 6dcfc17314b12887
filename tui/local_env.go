package tui

import (
	"context"
	"errors"
	"fmt"

	"github.com/gryadka/gryadka/cluster"
	"github.com/gryadka/gryadka/trace"
)

// NewLocalEnv assembles the dashboard's Env on a local cluster: its
// nodes, the links of net, proposers p1…pN (1RTT on) reached through net
// and traced on bus, each with a key-value store, and membership changes
// that start new nodes with l.AddNode. Start the cluster with bus as its
// tracer so node changes show at once. The returned close function
// releases the proposers' and the inspection's connections; closing l
// stays with the caller.
func NewLocalEnv(ctx context.Context, l *cluster.Local, net *cluster.Network, bus *trace.Bus, proposers int) (Env, func() error, error) {
	nodes, err := NewClusterNodes(ctx, l.Nodes(), cluster.AcceptorOptions{Namespace: l.File().Namespace})
	if err != nil {
		return Env{}, nil, err
	}
	lp := newLocalProposers(l.File(), net, bus)
	collector := &collectorGC{dial: localCollector(lp, bus)}
	closeAll := func() error { return errors.Join(collector.stop(), lp.close(), nodes.Close()) }
	members, err := NewMemberRunner(MemberOptions{File: l.File(), Proposers: lp, StartNode: l.AddNode,
		Listed: nodes.Add, Tracer: bus})
	if err != nil {
		return Env{}, nil, errors.Join(err, closeAll())
	}
	env := Env{Bus: bus, Nodes: nodes, Links: NetworkLinks{N: net}, AddProposer: lp.add, Members: members, GC: collector,
		Title: fmt.Sprintf("local %s cluster", l.Kind())}
	for range max(proposers, 1) {
		c, err := lp.add(ctx)
		if err != nil {
			return Env{}, nil, errors.Join(err, closeAll())
		}
		env.Clients = append(env.Clients, c)
	}
	return env, closeAll, nil
}
