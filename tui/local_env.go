package tui

import (
	"context"
	"fmt"
	"sync/atomic"

	"github.com/gryadka/gryadka/cluster"
	"github.com/gryadka/gryadka/kv"
	"github.com/gryadka/gryadka/paxos"
	"github.com/gryadka/gryadka/trace"
)

// NewLocalEnv assembles the dashboard's Env on a local cluster: its
// nodes, the links of net, and proposers p1…pN (1RTT on) reached through
// net and traced on bus, each with a key-value store. Start the cluster
// with bus as its tracer so node changes show at once. The returned close
// function releases the inspection connections; closing l and its
// acceptors stays with the caller.
func NewLocalEnv(ctx context.Context, l *cluster.Local, net *cluster.Network, bus *trace.Bus, proposers int) (Env, func() error, error) {
	nodes, err := NewClusterNodes(ctx, l.Nodes(), cluster.AcceptorOptions{Namespace: l.File().Namespace})
	if err != nil {
		return Env{}, nil, err
	}
	var count atomic.Int64
	add := func(ctx context.Context) (Client, error) {
		id := fmt.Sprintf("p%d", count.Add(1))
		p, err := l.Proposer(ctx, paxos.Options{ID: id, OneRTT: true, Tracer: bus}, net)
		if err != nil {
			return Client{}, fmt.Errorf("tui: starting proposer %s: %w", id, err)
		}
		return Client{Proposer: p, Store: kv.New(p)}, nil
	}
	env := Env{Bus: bus, Nodes: nodes, Links: NetworkLinks{N: net}, AddProposer: add,
		Title: fmt.Sprintf("local %s cluster", l.Kind())}
	for range max(proposers, 1) {
		c, err := add(ctx)
		if err != nil {
			return Env{}, nil, err
		}
		env.Clients = append(env.Clients, c)
	}
	return env, nodes.Close, nil
}
