package tui

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/gryadka/gryadka/cluster"
	"github.com/gryadka/gryadka/serve"
	"github.com/gryadka/gryadka/trace"
)

// ErrSameProposer refuses to attach to two serve processes whose
// proposers have the same ID: their changes could not be told apart.
var ErrSameProposer = errors.New("tui: two servers run the same proposer")

// noLinksRemote says why a dashboard attached to serve proposers offers
// no link faults.
const noLinksRemote = "the links of proposers in other processes cannot be cut from here (kill or pause a node instead)"

// RemoteOptions configure NewRemoteEnv.
type RemoteOptions struct {
	// URLs are the serve proposers' base URLs, http://127.0.0.1:8081.
	URLs []string
	// Namespace prefixes gryadka's keys in each Redis, for inspection.
	Namespace string
	// Acceptor holds the connection options the inspection of every node
	// shares (TLS, user, password); its name and address are the node's.
	Acceptor cluster.AcceptorOptions
	// HTTP sends the requests; nil uses a plain http.Client.
	HTTP *http.Client
}

// NewRemoteEnv attaches the dashboard to running `gryadka serve`
// proposers: it reads each one's /config, relays each one's trace stream
// onto bus until close is called, and inspects the nodes their
// configurations name. Membership changes PUT each new configuration to
// every proposer; new nodes are given by address. Garbage collection
// invalidates and fences every proposer through its admin API. Every
// proposer must answer at first, and each must have its own ID.
func NewRemoteEnv(ctx context.Context, opts RemoteOptions, bus *trace.Bus) (Env, func() error, error) {
	if len(opts.URLs) == 0 {
		return Env{}, nil, errors.New("tui: no serve proposers: give their URLs, http://host:port,…")
	}
	var (
		clients []Client
		serves  []*serve.Client
		first   serve.ConfigDoc
		nodes   []cluster.FileNode
		seen    = map[string]string{} // proposer ID -> URL
		byName  = map[string]bool{}
	)
	for _, u := range opts.URLs {
		c, err := serve.NewClient(strings.TrimSpace(u), opts.HTTP)
		if err != nil {
			return Env{}, nil, err
		}
		cctx, cancel := context.WithTimeout(ctx, actionTimeout)
		doc, err := c.Config(cctx)
		cancel()
		if err != nil {
			return Env{}, nil, fmt.Errorf("tui: reading the configuration of %s: %w", c.URL(), err)
		}
		id := shortProposer(doc.Proposer)
		if other, dup := seen[id]; dup {
			return Env{}, nil, fmt.Errorf("%w: %s and %s both run proposer %q; start each serve with its own --proposer ID",
				ErrSameProposer, other, c.URL(), id)
		}
		seen[id] = c.URL()
		if len(serves) == 0 {
			first = doc
		}
		serves = append(serves, c)
		clients = append(clients, Client{Proposer: NewRemoteProposer(c, doc.Proposer), Store: RemoteKV{C: c}})
		for _, n := range doc.Nodes {
			if !byName[n.Name] {
				byName[n.Name] = true
				nodes = append(nodes, n)
			}
		}
	}
	inspect, err := remoteNodes(ctx, nodes, opts, bus)
	if err != nil {
		return Env{}, nil, err
	}
	members, err := remoteMembers(ctx, serves, first, nodes, opts.Namespace, inspect, bus)
	if err != nil {
		return Env{}, nil, errors.Join(err, inspect.Close())
	}
	rctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for _, cl := range clients {
		wg.Go(func() { cl.Proposer.(*RemoteProposer).Relay(rctx, bus) })
	}
	collector := &collectorGC{dial: remoteCollector(serves, inspect, bus)}
	env := Env{Bus: bus, Nodes: inspect, Clients: clients, Members: members, GC: collector, Attach: true,
		NoLinks: noLinksRemote, Title: fmt.Sprintf("%d serve proposers", len(clients))}
	return env, func() error {
		cancel()
		wg.Wait()
		return errors.Join(collector.stop(), inspect.Close())
	}, nil
}

// remoteNodes connects to the nodes of the proposers' configurations for
// inspection.
func remoteNodes(ctx context.Context, fns []cluster.FileNode, opts RemoteOptions, bus *trace.Bus) (*ClusterNodes, error) {
	eps, err := cluster.File{Nodes: fns}.Endpoints()
	if err != nil {
		return nil, fmt.Errorf("tui: the proposers name a node badly: %w", err)
	}
	nodes := make([]*cluster.Node, len(eps))
	for i, ep := range eps {
		if nodes[i], err = cluster.NewNode(cluster.NodeOptions{Name: ep.Name, Kind: cluster.KindRemote, Addr: ep.Addr, Tracer: bus}); err != nil {
			return nil, err
		}
	}
	template := opts.Acceptor
	if opts.Namespace != "" {
		template.Namespace = opts.Namespace
	}
	return NewClusterNodes(ctx, nodes, template)
}
