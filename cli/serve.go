package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gryadka/gryadka/cluster"
	"github.com/gryadka/gryadka/paxos"
	"github.com/gryadka/gryadka/serve"
)

type serveOptions struct {
	addr    string
	id      string
	oneRTT  bool
	gc      bool
	peers   []string
	noPeers bool
}

// NewServeCommand returns `gryadka serve`, which runs one proposer behind
// an HTTP API until interrupted. It reads --nodes or --cluster, --timeout
// and --namespace from g.
func NewServeCommand(g *Globals) *cobra.Command {
	var o serveOptions
	c := &cobra.Command{
		Use:   "serve --cluster FILE [--http 127.0.0.1:8080] [--id p1] [--1rtt]",
		Short: "Run a proposer behind an HTTP key-value and admin API",
		Long: `Run one proposer behind an HTTP API until Ctrl-C:

  GET/PUT/DELETE /kv/{key}, POST /kv/{key}/cas, /incr and /change   key-value operations (JSON)
  GET/PUT /config                                                   the proposer's configuration, versioned
  GET /trace                                                        its trace as server-sent events
  GET /metrics                                                      Prometheus metrics
  POST /admin/gc/invalidate, /admin/gc/age                          used by a garbage collector ('gryadka gc')

With --gc it also removes deleted keys in the background, fencing itself and the proposers
named by --peers: every proposer of the cluster must be named (or --no-peers given), since
one left out could bring a deleted key back.

Several serve processes with different --id values can share a cluster; the dashboard
attaches to them with --proposers. The API has no authentication: it listens on 127.0.0.1
unless --http names another address. --timeout bounds connecting and each request.`,
		Example: "  gryadka serve --cluster ./c/cluster.json\n" +
			"  gryadka serve --cluster ./c/cluster.json --http 127.0.0.1:8081 --id p2 --1rtt\n" +
			"  curl -X PUT -d 42 http://127.0.0.1:8080/kv/k",
		Args: UsageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error { return runServe(cmd, g, o) },
	}
	fs := c.Flags()
	fs.StringVar(&o.addr, "http", serve.DefaultAddr, "listen on `ADDR` (host:port; port 0 picks a free one)")
	fs.StringVar(&o.id, "id", serve.DefaultID, "proposer `ID`, unique among the proposers of the cluster (--proposer works too)")
	fs.BoolVar(&o.oneRTT, "1rtt", false, "enable the one-round-trip optimization")
	fs.BoolVar(&o.gc, "gc", false, "collect deleted keys in the background (needs --peers or --no-peers)")
	fs.StringSliceVar(&o.peers, "peers", nil, "with --gc, every other 'gryadka serve' of the cluster, as http://host:port, comma-separated")
	fs.BoolVar(&o.noPeers, "no-peers", false, "with --gc, this is the cluster's only proposer")
	return c
}

func runServe(cmd *cobra.Command, g *Globals, o serveOptions) error {
	if fs := cmd.Flags(); !fs.Changed("id") && fs.Changed("proposer") {
		o.id = g.ProposerID
	}
	if err := paxos.ValidateProposerID(o.id); err != nil {
		return Usage(fmt.Errorf("--id: %w", err))
	}
	f, err := g.serveFile()
	if err != nil {
		return err
	}
	var gcOpts *serve.GCOptions
	switch {
	case o.gc && len(o.peers) == 0 && !o.noPeers:
		return Usage(errors.New("--gc removes deleted keys for good, so every proposer of the cluster must be fenced first: " +
			"name every other 'gryadka serve' with --peers http://host:port,…, or give --no-peers if this is the only one"))
	case o.gc:
		gcOpts = &serve.GCOptions{Peers: o.peers, Alone: o.noPeers, Log: cmd.ErrOrStderr()}
	case len(o.peers) > 0 || o.noPeers:
		return Usage(errors.New("--peers and --no-peers only matter with --gc"))
	}
	ctx := cmd.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return Usage(fmt.Errorf("--http %s: %w", o.addr, err))
	}
	startCtx, cancel := context.WithTimeout(ctx, g.timeout())
	s, err := serve.New(startCtx, serve.Options{ID: o.id, File: f, OneRTT: o.oneRTT, RequestTimeout: g.timeout(),
		AcceptorTimeout: min(cluster.DefaultAcceptorTimeout, g.timeout()), Warn: cmd.ErrOrStderr(), GC: gcOpts})
	cancel()
	if err != nil {
		ln.Close()
		if errors.Is(err, paxos.ErrNoQuorum) {
			return Exit(ExitUnavailable, err)
		}
		return Usage(err)
	}
	if ip := ln.Addr().(*net.TCPAddr).IP; !ip.IsLoopback() {
		fmt.Fprintf(cmd.ErrOrStderr(), "warning: the API has no authentication, and %s is reachable from other machines\n", ln.Addr())
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "serving %s on http://%s\n", o.id, ln.Addr())
	err = s.Serve(ctx, ln)
	if cerr := s.Close(); err == nil {
		err = cerr
	}
	return err
}

// serveFile describes the cluster the flags name as a cluster file: the
// file of --cluster, or --nodes as remote nodes a1..aN with majorities
// and no identity to check.
func (g *Globals) serveFile() (cluster.File, error) {
	t, err := g.target()
	if err != nil {
		return cluster.File{}, err
	}
	if t.file != nil {
		f := *t.file
		f.Namespace = t.namespace
		return f, nil
	}
	f := cluster.File{Version: cluster.FileVersion, Namespace: t.namespace}
	names := make([]string, len(t.endpoints))
	for i, ep := range t.endpoints {
		names[i] = ep.Name
		f.Nodes = append(f.Nodes, cluster.FileNode{Name: ep.Name, Addr: strings.TrimSpace(g.Nodes[i]), Backend: cluster.KindRemote})
	}
	f.Config = cluster.MajorityConfig(names...)
	return f, nil
}
