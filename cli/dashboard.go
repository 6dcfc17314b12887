package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/spf13/pflag"

	"github.com/gryadka/gryadka/cluster"
	"github.com/gryadka/gryadka/paxos"
	"github.com/gryadka/gryadka/trace"
	"github.com/gryadka/gryadka/tui"
)

// dashboardFlags are the root command's own flags.
type dashboardFlags struct {
	backend   string
	count     int
	proposers string
	dir       string
	readOnly  bool
	record    string
}

func (d *dashboardFlags) addFlags(fs *pflag.FlagSet) {
	fs.StringVar(&d.backend, "backend", cluster.BackendAuto,
		"local nodes: embedded (in-process Redis), process (redis-server) or auto (process when redis-server is installed)")
	fs.IntVar(&d.count, "nodes-count", 3, "number of local nodes to start")
	fs.StringVar(&d.proposers, "proposers", "2",
		"number of proposers to start (1 to 9), or the URLs of running 'gryadka serve' proposers to attach to, comma-separated")
	fs.StringVar(&d.dir, "dir", "", "data directory of local process nodes (default: a temporary one, removed on exit)")
	fs.BoolVar(&d.readOnly, "read-only", false, "offer no action that writes (for watching a production cluster)")
	fs.StringVar(&d.record, "record", "", "write every trace event to `FILE` as JSON lines")
}

// runDashboard opens the dashboard on a local cluster it starts, on the
// acceptors named by --nodes or --cluster, or on the serve proposers whose
// URLs --proposers gives.
func runDashboard(ctx context.Context, g *Globals, d *dashboardFlags) error {
	count, urls, err := d.proposerFlag()
	if err != nil {
		return err
	}
	bus := trace.NewBus()
	if d.record != "" {
		stop, err := record(ctx, bus, d.record)
		if err != nil {
			return err
		}
		defer stop()
	}
	net := cluster.NewNetwork(cluster.NetworkOptions{Tracer: bus, Seed: time.Now().UnixNano()})
	var env tui.Env
	switch {
	case len(urls) > 0:
		if len(g.Nodes) > 0 || g.ClusterFile != "" {
			return Usage(errors.New("--proposers with URLs attaches to serve proposers, which know their nodes: give no --nodes or --cluster"))
		}
		var closeEnv func() error
		env, closeEnv, err = tui.NewRemoteEnv(ctx, tui.RemoteOptions{URLs: urls, Namespace: g.Namespace}, bus)
		if err != nil {
			return Exit(ExitUnavailable, err)
		}
		defer closeEnv()
	case len(g.Nodes) > 0 || g.ClusterFile != "":
		var closeEnv func()
		env, closeEnv, err = attachEnv(ctx, g, count, bus, net)
		if err != nil {
			return err
		}
		defer closeEnv()
	default:
		if d.count < 1 || d.count > 9 {
			return Usage(fmt.Errorf("--nodes-count %d: give 1 to 9", d.count))
		}
		if _, err := cluster.ResolveBackend(d.backend); err != nil {
			return Usage(fmt.Errorf("--backend: %w", err))
		}
		l, err := cluster.StartLocal(ctx, cluster.LocalOptions{Nodes: d.count, Backend: d.backend, Dir: d.dir, Tracer: bus})
		if err != nil {
			return Exit(ExitUnavailable, fmt.Errorf("starting the local cluster: %w", err))
		}
		defer l.Close()
		var closeEnv func() error
		env, closeEnv, err = tui.NewLocalEnv(ctx, l, net, bus, count)
		if err != nil {
			return Exit(ExitUnavailable, err)
		}
		defer closeEnv()
	}
	env.ReadOnly = d.readOnly
	return tui.Run(ctx, env)
}

// proposerFlag reads --proposers: a number of proposers to start, or the
// URLs of serve proposers to attach to.
func (d *dashboardFlags) proposerFlag() (count int, urls []string, err error) {
	v := strings.TrimSpace(d.proposers)
	if n, err := strconv.Atoi(v); err == nil {
		if n < 1 || n > 9 {
			return 0, nil, Usage(fmt.Errorf("--proposers %d: give 1 to 9, or the URLs of serve proposers", n))
		}
		return n, nil, nil
	}
	for u := range strings.SplitSeq(v, ",") {
		if u = strings.TrimSpace(u); u != "" {
			urls = append(urls, u)
		}
	}
	if len(urls) == 0 || !strings.Contains(v, "://") {
		return 0, nil, Usage(fmt.Errorf("--proposers %q: give a number from 1 to 9, or URLs such as http://127.0.0.1:8081,http://127.0.0.1:8082", d.proposers))
	}
	return 0, urls, nil
}

// attachEnv builds the dashboard's Env on existing acceptors: remote nodes,
// with proposers of this process reaching them through net.
func attachEnv(ctx context.Context, g *Globals, proposers int, bus *trace.Bus, net *cluster.Network) (tui.Env, func(), error) {
	t, err := g.target()
	if err != nil {
		return tui.Env{}, nil, err
	}
	nodes := make([]*cluster.Node, len(t.endpoints))
	for i, ep := range t.endpoints {
		if nodes[i], err = cluster.NewNode(cluster.NodeOptions{Name: ep.Name, Kind: cluster.KindRemote, Addr: ep.Addr, Tracer: bus}); err != nil {
			return tui.Env{}, nil, Usage(err)
		}
	}
	template := cluster.AcceptorOptions{Namespace: t.namespace, Timeout: cluster.DefaultAcceptorTimeout}
	if len(t.endpoints) > 0 {
		first := t.endpoints[0]
		template.Endpoint.Username, template.Endpoint.Password, template.Endpoint.TLS = first.Username, first.Password, first.TLS
	}
	inspect, err := tui.NewClusterNodes(ctx, nodes, template)
	if err != nil {
		return tui.Env{}, nil, Exit(ExitUnavailable, err)
	}
	var (
		mu    sync.Mutex
		conns []*Conn
		count atomic.Int64
	)
	add := func(ctx context.Context) (tui.Client, error) {
		id := fmt.Sprintf("p%d", count.Add(1))
		conn, err := g.Connect(ctx, os.Stderr)
		if err != nil {
			return tui.Client{}, err
		}
		mu.Lock()
		conns = append(conns, conn)
		mu.Unlock()
		cfg := conn.Config
		cfg.Prepare, cfg.Accept = linked(net, id, cfg.Prepare), linked(net, id, cfg.Accept)
		p, err := paxos.NewProposer(paxos.Options{ID: id, Config: cfg, OneRTT: true, Tracer: bus})
		if err != nil {
			return tui.Client{}, err
		}
		return tui.NewLocalClient(p), nil
	}
	env := tui.Env{Bus: bus, Nodes: inspect, Links: tui.NetworkLinks{N: net}, AddProposer: add, Attach: true,
		Title: fmt.Sprintf("%d attached nodes", len(nodes))}
	closeAll := func() {
		inspect.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	}
	for range proposers {
		c, err := add(ctx)
		if err != nil {
			closeAll()
			return tui.Env{}, nil, err
		}
		env.Clients = append(env.Clients, c)
	}
	return env, closeAll, nil
}

func linked(net *cluster.Network, proposer string, set []paxos.Acceptor) []paxos.Acceptor {
	out := make([]paxos.Acceptor, len(set))
	for i, a := range set {
		out[i] = net.Link(proposer, a)
	}
	return out
}

// record writes every event of bus to path until stop is called.
func record(ctx context.Context, bus *trace.Bus, path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, Usage(fmt.Errorf("--record: %w", err))
	}
	ctx, cancel := context.WithCancel(ctx)
	sub := bus.Subscribe(ctx, trace.WithBuffer(1<<16))
	done := make(chan error, 1)
	go func() { done <- trace.NewRecorder(f).Run(ctx, sub) }()
	return func() {
		cancel()
		err := <-done
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "gryadka: --record: %v\n", err)
		}
	}, nil
}
