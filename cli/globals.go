// Package cli holds gryadka's cobra commands and what they share: the
// global flags, connecting to the acceptors, and exit codes.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/spf13/pflag"

	"github.com/gryadka/gryadka/cluster"
	"github.com/gryadka/gryadka/paxos"
)

// Globals are the flags every command that talks to a cluster shares.
type Globals struct {
	// Nodes are the acceptors' addresses, named a1..aN in order: host:port,
	// redis://[user:password@]host:port or rediss://… (see
	// cluster.ParseEndpoint).
	Nodes []string
	// ClusterFile is a cluster description written by `gryadka up`.
	ClusterFile string
	// Timeout bounds a whole command: connecting, retries and all.
	Timeout time.Duration
	// Trace prints every message of the protocol as a sequence chart.
	Trace bool
	// ProposerID names this process's proposer in ballots and traces.
	ProposerID string
	// Namespace prefixes gryadka's keys in each Redis.
	Namespace string
}

// DefaultTimeout is the default of --timeout.
const DefaultTimeout = 5 * time.Second

// AddFlags defines the global flags on fs, usually a root command's
// persistent flags.
func (g *Globals) AddFlags(fs *pflag.FlagSet) {
	fs.StringSliceVar(&g.Nodes, "nodes", nil,
		"acceptors as host:port, redis://[user:pass@]host:port or rediss://host:port, comma-separated; named a1, a2, … in order")
	fs.StringVar(&g.ClusterFile, "cluster", "", "cluster description `FILE` written by 'gryadka up' (instead of --nodes)")
	fs.DurationVar(&g.Timeout, "timeout", DefaultTimeout, "give up on a command after this long")
	fs.BoolVar(&g.Trace, "trace", false, "print every protocol message as a sequence chart")
	fs.StringVar(&g.ProposerID, "proposer", "cli", "proposer `ID` used in ballots (letters, digits, '-' or '_')")
	fs.StringVar(&g.Namespace, "namespace", cluster.DefaultNamespace, "prefix of gryadka's keys in each Redis")
}

// Endpoints returns the acceptors' endpoints named by the flags. Errors are
// usage errors.
func (g *Globals) Endpoints() ([]cluster.Endpoint, error) {
	t, err := g.target()
	if err != nil {
		return nil, err
	}
	return t.endpoints, nil
}

// target is what the flags point at: the nodes and, from a cluster file,
// the identity they must hold, their namespace and the configuration.
type target struct {
	endpoints []cluster.Endpoint
	inMemory  map[string]bool // embedded nodes: no persistence, on purpose
	identity  string
	namespace string
	file      *cluster.File
}

func (g *Globals) target() (target, error) {
	switch {
	case g.ClusterFile != "" && len(g.Nodes) > 0:
		return target{}, Usage(errors.New("give either --nodes or --cluster, not both"))
	case g.ClusterFile != "":
		return g.fileTarget()
	case len(g.Nodes) == 0:
		return target{}, Usage(errors.New("no acceptors: give them with --nodes host:port,host:port,… or --cluster FILE"))
	}
	t := target{namespace: g.Namespace}
	seen := map[string]string{}
	for i, addr := range g.Nodes {
		name := fmt.Sprintf("a%d", i+1)
		ep, err := cluster.ParseEndpoint(name, strings.TrimSpace(addr))
		if err != nil {
			return target{}, Usage(fmt.Errorf("--nodes: %w", err))
		}
		if other, dup := seen[ep.Addr]; dup {
			return target{}, Usage(fmt.Errorf("--nodes: %s and %s are both %s: each acceptor must be a different Redis", other, name, ep.Addr))
		}
		seen[ep.Addr] = name
		t.endpoints = append(t.endpoints, ep)
	}
	return t, nil
}

func (g *Globals) fileTarget() (target, error) {
	f, err := cluster.LoadFile(g.ClusterFile)
	if err != nil {
		return target{}, Usage(fmt.Errorf("--cluster: %w", err))
	}
	eps, err := f.Endpoints()
	if err != nil {
		return target{}, Usage(fmt.Errorf("--cluster: %w", err))
	}
	t := target{endpoints: eps, inMemory: map[string]bool{}, identity: f.Identity, namespace: g.Namespace, file: &f}
	if f.Namespace != "" {
		t.namespace = f.Namespace
	}
	for _, n := range f.Nodes {
		t.inMemory[n.Name] = n.Backend == cluster.KindEmbedded
	}
	return t, nil
}

// Conn is the set of acceptors a command uses and the configuration they
// form. Nodes that could not be reached stay in Acceptors as voters that
// always fail, so quorums keep their size.
type Conn struct {
	Acceptors []paxos.Acceptor
	Config    paxos.Config
	redis     []*cluster.RedisAcceptor
}

// Close closes the connections; calls still in flight fail.
func (c *Conn) Close() {
	for _, a := range c.redis {
		_ = a.Close()
	}
}

// Connect dials every acceptor at once and builds the configuration:
// majorities for --nodes, the file's for --cluster, whose nodes must hold
// the cluster's identity to vote. It writes the nodes' warnings (one line
// per warning, naming the nodes) and each node it cannot use to warn, and
// fails with ExitUnavailable when the reachable nodes cannot form a quorum.
func (g *Globals) Connect(ctx context.Context, warn io.Writer) (*Conn, error) {
	t, err := g.target()
	if err != nil {
		return nil, err
	}
	timeout := min(cluster.DefaultAcceptorTimeout, g.timeout())
	type dialed struct {
		a   *cluster.RedisAcceptor
		err error
	}
	results := make([]dialed, len(t.endpoints))
	var wg sync.WaitGroup
	for i, ep := range t.endpoints {
		wg.Go(func() {
			a, err := cluster.DialAcceptor(ctx, cluster.AcceptorOptions{Endpoint: ep, Namespace: t.namespace,
				Identity: t.identity, Timeout: timeout, InMemoryOK: t.inMemory[ep.Name]})
			results[i] = dialed{a, err}
		})
	}
	wg.Wait()
	conn := &Conn{}
	var failures, warnings []string
	warned := map[string][]string{} // warning -> nodes
	reachable := map[string]bool{}
	for i, r := range results {
		if r.err != nil {
			failures = append(failures, r.err.Error())
			conn.Acceptors = append(conn.Acceptors, unreachable{name: t.endpoints[i].Name, err: r.err})
			continue
		}
		for _, w := range r.a.Warnings() {
			if warned[w] == nil {
				warnings = append(warnings, w)
			}
			warned[w] = append(warned[w], t.endpoints[i].Name)
		}
		reachable[r.a.Name()] = true
		conn.redis = append(conn.redis, r.a)
		conn.Acceptors = append(conn.Acceptors, r.a)
	}
	for _, w := range warnings {
		fmt.Fprintf(warn, "warning: %s: %s\n", strings.Join(warned[w], ", "), w)
	}
	conn.Config = paxos.Majority(conn.Acceptors...)
	if t.file != nil {
		if conn.Config, err = t.file.PaxosConfig(conn.Acceptors); err != nil {
			conn.Close()
			return nil, Usage(fmt.Errorf("--cluster: %w", err))
		}
	}
	if why := conn.Config.QuorumMissing(reachable); why != "" {
		conn.Close()
		return nil, Exit(ExitUnavailable, fmt.Errorf("cannot reach a quorum: %s:\n  %s", why, strings.Join(failures, "\n  ")))
	}
	for _, f := range failures {
		fmt.Fprintf(warn, "warning: unreachable, counted as a missing vote: %s\n", f)
	}
	return conn, nil
}

func (g *Globals) timeout() time.Duration {
	if g.Timeout <= 0 {
		return DefaultTimeout
	}
	return g.Timeout
}

// NewProposer returns a proposer with conn's configuration, traced by
// tracer when it is not nil.
func (g *Globals) NewProposer(conn *Conn, tracer paxos.Tracer) (*paxos.Proposer, error) {
	p, err := paxos.NewProposer(paxos.Options{
		ID:           g.ProposerID,
		Config:       conn.Config,
		OneRTT:       true,
		RoundTimeout: min(cluster.DefaultAcceptorTimeout, g.timeout()),
		Tracer:       tracer,
	})
	if err != nil {
		return nil, Usage(fmt.Errorf("--proposer: %w", err))
	}
	return p, nil
}

// unreachable stands for a node that could not be dialed: it votes no to
// everything, so the proposer counts it as a missing vote.
type unreachable struct {
	name string
	err  error
}

var _ paxos.Acceptor = unreachable{}

// Name implements paxos.Acceptor.
func (u unreachable) Name() string { return u.name }

// Prepare implements paxos.Acceptor: it fails with the dial error.
func (u unreachable) Prepare(context.Context, string, paxos.Ballot) (paxos.Promise, error) {
	return paxos.Promise{}, u.err
}

// Accept implements paxos.Acceptor: it fails with the dial error.
func (u unreachable) Accept(context.Context, string, paxos.Ballot, []byte, paxos.Ballot) error {
	return u.err
}
