package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/gryadka/gryadka/cluster"
	"github.com/gryadka/gryadka/paxos"
	"github.com/gryadka/gryadka/serve"
)

type memberFlags struct {
	node      string
	proposers []string
}

// NewMemberCommand returns `gryadka member`, which changes the acceptors
// of a cluster step by step as in the CASPaxos paper, recording each step
// in the cluster file so that a rerun resumes a failed change.
func NewMemberCommand(g *Globals) *cobra.Command {
	var f memberFlags
	c := &cobra.Command{
		Use:   "member",
		Short: "Add, remove or replace an acceptor, step by step (membership change)",
		Long: `Change the acceptors of the cluster in --cluster FILE as the CASPaxos paper describes:
each step (join, new configuration, rescan of every key) is printed and recorded in FILE.
If a step fails the command exits non-zero naming it; run the same command again to resume there.

Proposers in other processes ('gryadka serve') are given each configuration with --proposers;
commands that read FILE pick up the new configuration by themselves.`,
		Example: `  gryadka member add --cluster c/cluster.json                 # a local cluster starts the node
  gryadka member add --node 127.0.0.1:7004 --cluster c/cluster.json
  gryadka member remove a2 --cluster c/cluster.json --proposers http://127.0.0.1:8080
  gryadka member replace a2 --cluster c/cluster.json
  gryadka member status --cluster c/cluster.json`,
	}
	c.PersistentFlags().StringSliceVar(&f.proposers, "proposers", nil,
		"'gryadka serve' proposers to configure at each step, as http://host:port, comma-separated")
	add := &cobra.Command{
		Use:   "add [--node host:port]",
		Short: "Add an empty acceptor (started here for a local process cluster)",
		Args:  UsageArgs(cobra.NoArgs),
		RunE:  func(cmd *cobra.Command, _ []string) error { return runMember(cmd, g, f, "add", "") },
	}
	add.Flags().StringVar(&f.node, "node", "", "address of the new, empty Redis; without it a local cluster starts one")
	remove := &cobra.Command{
		Use:   "remove NODE",
		Short: "Stop asking an acceptor; its data is left alone",
		Args:  UsageArgs(cobra.ExactArgs(1)),
		RunE:  func(cmd *cobra.Command, args []string) error { return runMember(cmd, g, f, "remove", args[0]) },
	}
	replace := &cobra.Command{
		Use:   "replace NODE [--node host:port]",
		Short: "Replace an acceptor by an empty one: remove, then add",
		Args:  UsageArgs(cobra.ExactArgs(1)),
		RunE:  func(cmd *cobra.Command, args []string) error { return runMember(cmd, g, f, "replace", args[0]) },
	}
	replace.Flags().StringVar(&f.node, "node", "", "address of the new, empty Redis; without it a local cluster starts one")
	status := &cobra.Command{
		Use:   "status",
		Short: "Say where the membership change stands",
		Args:  UsageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			m, _, err := memberMachine(g, f, nil)
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), m.Where())
			return nil
		},
	}
	c.AddCommand(add, remove, replace, status)
	return c
}

func memberMachine(g *Globals, f memberFlags, tracer paxos.Tracer) (*cluster.Membership, cluster.File, error) {
	if g.ClusterFile == "" {
		return nil, cluster.File{}, Usage(errors.New("--cluster FILE is required: membership changes are recorded there"))
	}
	file, err := cluster.LoadFile(g.ClusterFile)
	if err != nil {
		return nil, file, err
	}
	var ps remoteProposers
	for _, u := range f.proposers {
		c, err := serve.NewClient(u, nil)
		if err != nil {
			return nil, file, Usage(fmt.Errorf("--proposers: %w", err))
		}
		ps = append(ps, c)
	}
	m, err := cluster.NewMembership(file, cluster.MembershipOptions{Path: g.ClusterFile, Proposers: ps, Tracer: tracer})
	return m, file, err
}

func runMember(cmd *cobra.Command, g *Globals, f memberFlags, kind, node string) error {
	out := cmd.OutOrStdout()
	m, file, err := memberMachine(g, f, stepPrinter{out})
	if err != nil {
		return err
	}
	ctx := cmd.Context()
	if ms := file.Membership; ms != nil && ms.Plan != nil {
		if !strings.HasPrefix(ms.Plan.Op+" ", kind+" "+node) {
			return Usage(fmt.Errorf("%w: %s", cluster.ErrChangeInProgress, m.Where()))
		}
		fmt.Fprintln(out, "resuming", m.Where())
		return finishMember(ctx, m, file, out)
	}
	op := cluster.MemberOp{Kind: kind, Node: node}
	if kind != "remove" {
		if op.New, err = newMemberNode(ctx, file, g.ClusterFile, f.node); err != nil {
			return err
		}
		fmt.Fprintf(out, "new node %s at %s\n", op.New.Name, op.New.Addr)
	}
	plan, err := m.Begin(op)
	if err != nil {
		if f.node == "" && op.New.PID != 0 {
			err = errors.Join(err, stopUnused(ctx, op.New, out))
		}
		return Exit(ExitFailed, err)
	}
	fmt.Fprintf(out, "%s: %d steps\n", plan.Op, len(plan.Steps))
	return finishMember(ctx, m, file, out)
}

// finishMember runs the change and stops the process nodes that left.
func finishMember(ctx context.Context, m *cluster.Membership, before cluster.File, out io.Writer) error {
	if err := m.Run(ctx); err != nil {
		return Exit(ExitFailed, err)
	}
	after := m.File()
	for _, n := range before.Nodes {
		if n.Backend != cluster.KindProcess || n.PID == 0 ||
			slices.ContainsFunc(after.Nodes, func(a cluster.FileNode) bool { return a.Name == n.Name }) {
			continue
		}
		stopCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
		err := cluster.StopProcess(stopCtx, n.Name, n.Addr, n.PID)
		cancel()
		if err != nil {
			fmt.Fprintf(out, "%s left the cluster; stopping its redis-server failed: %v\n", n.Name, err)
			continue
		}
		fmt.Fprintf(out, "%s left the cluster: stopped pid %d; its data stays in %s\n", n.Name, n.PID, n.Dir)
	}
	return nil
}

// stopUnused stops n, a redis-server started for a change that was then
// refused: it is in no cluster file, so nothing else would stop it. Its
// data directory is left, and its name is not reused.
func stopUnused(ctx context.Context, n cluster.FileNode, out io.Writer) error {
	stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
	defer cancel()
	if err := cluster.StopProcess(stopCtx, n.Name, n.Addr, n.PID); err != nil {
		return fmt.Errorf("the new node %s (pid %d at %s) was started for this change and could not be stopped: %w; stop it by hand",
			n.Name, n.PID, n.Addr, err)
	}
	fmt.Fprintf(out, "the change was refused: stopped the new node %s (pid %d); its data stays in %s\n", n.Name, n.PID, n.Dir)
	return nil
}

// newMemberNode returns the node to add: the Redis at addr, or else a
// redis-server started in the cluster's directory, for a cluster of
// process nodes. Its name is the next free aN, also among the data
// directories a removed node left, which are never reused.
func newMemberNode(ctx context.Context, file cluster.File, path, addr string) (cluster.FileNode, error) {
	dir := filepath.Dir(path)
	name := ""
	for i := 1; name == ""; i++ {
		n := fmt.Sprintf("a%d", i)
		_, statErr := os.Stat(filepath.Join(dir, n))
		if !slices.ContainsFunc(file.Nodes, func(f cluster.FileNode) bool { return f.Name == n }) && os.IsNotExist(statErr) {
			name = n
		}
	}
	if addr != "" {
		if _, err := cluster.ParseEndpoint(name, addr); err != nil {
			return cluster.FileNode{}, Usage(fmt.Errorf("--node: %w", err))
		}
		return cluster.FileNode{Name: name, Addr: addr, Backend: cluster.KindRemote}, nil
	}
	for _, n := range file.Nodes {
		if n.Backend != cluster.KindProcess || n.Dir == "" {
			return cluster.FileNode{}, Usage(fmt.Errorf("%s is a %s node, so this is not a local process cluster "+
				"that can start a node itself: give the new node's address with --node host:port", n.Name, n.Backend))
		}
	}
	n, err := cluster.NewNode(cluster.NodeOptions{Name: name, Kind: cluster.KindProcess, Dir: filepath.Join(dir, name), Detach: true})
	if err != nil {
		return cluster.FileNode{}, err
	}
	if err := n.Start(ctx); err != nil {
		return cluster.FileNode{}, Exit(ExitUnavailable, err)
	}
	return cluster.FileNode{Name: name, Addr: n.Addr(), Backend: cluster.KindProcess, Dir: n.Dir(), PID: n.PID()}, nil
}

// stepPrinter prints each membership step as it starts, ends or fails,
// and the rescan's progress when it is complete.
type stepPrinter struct{ w io.Writer }

func (p stepPrinter) Enabled() bool { return true }

func (p stepPrinter) Trace(e paxos.Event) {
	if s, ok := e.(cluster.MembershipStep); ok && (s.Phase != cluster.MemberStepProgress || s.KeysDone == s.KeysTotal) {
		fmt.Fprintln(p.w, s.Text())
	}
}

// remoteProposers are `gryadka serve` proposers, configured over HTTP.
type remoteProposers []*serve.Client

// Apply implements cluster.Proposers: each server is given cfg, unless it
// already has it (a rerun after a failure).
func (r remoteProposers) Apply(ctx context.Context, nodes []cluster.FileNode, cfg cluster.FileConfig) error {
	for _, c := range r {
		doc, err := c.Config(ctx)
		if err != nil {
			return fmt.Errorf("reading a proposer's configuration: %w", err)
		}
		if paxos.Layout(doc.Config).String() == paxos.Layout(cfg).String() {
			continue
		}
		if _, err := c.PutConfig(ctx, serve.ConfigDoc{Version: doc.Version, Nodes: nodes, Config: cfg}); err != nil {
			return fmt.Errorf("configuring proposer %s: %w", doc.Proposer, err)
		}
	}
	return nil
}
