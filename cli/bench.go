package cli

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/spf13/cobra"

	"github.com/gryadka/gryadka/bench"
	"github.com/gryadka/gryadka/cluster"
)

type benchOptions struct {
	nodes       []string
	clusterFile string
	backend     string
	namespace   string
	clients     int
	keys        string
	op          string
	duration    time.Duration
	proposers   int
	asJSON      bool
	oneRTT      bool
	maxBatch    int
	timeout     time.Duration
	floor       time.Duration
}

// NewBenchCommand returns `gryadka bench`, the load generator: clients
// running increments or read-modify-writes against a cluster, measured
// against the floor of a bare script round trip to the same nodes, and
// checked at the end.
func NewBenchCommand() *cobra.Command {
	var o benchOptions
	c := &cobra.Command{
		Use:   "bench (--nodes A,B,C | --cluster FILE | --backend process|embedded) [--clients 16] [--keys own|shared] [--op inc|rmw]",
		Short: "Measure throughput and latency against the floor of the nodes",
		Long: `Run clients that change keys back to back for --duration, through --proposers proposers,
then report throughput, latency (from an operation's first attempt to its success, retries
included), round trips per change and errors, and check that every key holds its acknowledged
increments (a range when some outcomes are unknown).

--op inc is one change per operation; --op rmw is a read followed by a compare-and-set, retried
on a version mismatch. --keys own gives each client its own key; shared has them all change one.
Key names are unique to the run, so runs may share nodes; nothing else is touched.

Before the workload, bench measures the floor on the same nodes: a trivial EVALSHA round trip,
one node at a time and fanned out to all, and the EVALSHA throughput of 50 clients. The report
gives the ratios of the change's p50 and throughput to it.

The nodes are --nodes, the nodes of a cluster file, or three local nodes that bench starts
(--backend process runs redis-server with appendfsync always; embedded runs them in memory).

Exit status: 0 when the check passes, 1 when it fails, 2 on bad arguments, 3 when the nodes
cannot be reached or started.`,
		Example: "  gryadka bench --backend process --clients 1 --duration 5s\n" +
			"  gryadka bench --nodes 127.0.0.1:7001,127.0.0.1:7002,127.0.0.1:7003 --clients 16 --json\n" +
			"  gryadka bench --cluster .gryadka/cluster.json --keys shared --clients 8 --max-batch 1",
		Args: UsageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error { return runBench(cmd, o) },
	}
	fs := c.Flags()
	fs.StringSliceVar(&o.nodes, "nodes", nil, "acceptors as host:port (or redis://, rediss://), comma-separated; named a1, a2, … in order")
	fs.StringVar(&o.clusterFile, "cluster", "", "cluster description `FILE` written by 'gryadka up'")
	fs.StringVar(&o.backend, "backend", "", "start three local nodes: process (redis-server, fsync always) or embedded (in memory)")
	fs.StringVar(&o.namespace, "namespace", cluster.DefaultNamespace, "prefix of gryadka's keys in each Redis")
	fs.IntVar(&o.clients, "clients", 16, "concurrent clients")
	fs.StringVar(&o.keys, "keys", string(bench.KeysOwn), "own (a key per client) or shared (one key for all)")
	fs.StringVar(&o.op, "op", string(bench.OpInc), "inc (one change) or rmw (read, then compare-and-set)")
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "how long clients start new operations")
	fs.IntVar(&o.proposers, "proposers", 1, "proposers the clients are spread over")
	fs.BoolVar(&o.asJSON, "json", false, "print one line of JSON instead of a table")
	fs.BoolVar(&o.oneRTT, "one-rtt", true, "use the one-round-trip optimization")
	fs.IntVar(&o.maxBatch, "max-batch", 0, "most changes of one key sharing a round (0: the proposer's default, 1: a round each)")
	fs.DurationVar(&o.timeout, "timeout", 5*time.Second, "give up on one operation, retries included, after this long")
	fs.DurationVar(&o.floor, "floor", time.Second, "how long 50 clients ping for the floor throughput (0 skips the floor)")
	_ = c.RegisterFlagCompletionFunc("backend", cobra.FixedCompletions(
		[]string{string(cluster.KindProcess), string(cluster.KindEmbedded)}, cobra.ShellCompDirectiveNoFileComp))
	_ = c.RegisterFlagCompletionFunc("keys", cobra.FixedCompletions(
		[]string{string(bench.KeysOwn), string(bench.KeysShared)}, cobra.ShellCompDirectiveNoFileComp))
	_ = c.RegisterFlagCompletionFunc("op", cobra.FixedCompletions(
		[]string{string(bench.OpInc), string(bench.OpRMW)}, cobra.ShellCompDirectiveNoFileComp))
	return c
}

func runBench(cmd *cobra.Command, o benchOptions) error {
	cfg, err := o.config()
	if err != nil {
		return Usage(err)
	}
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt)
	defer stop()
	stderr := cmd.ErrOrStderr()

	topts, backend, cleanup, err := o.target(ctx)
	if err != nil {
		return err
	}
	defer cleanup()
	cfg.Backend = backend
	t, err := bench.Connect(ctx, topts)
	if err != nil {
		return Exit(ExitUnavailable, err)
	}
	defer t.Close()
	if backend != string(cluster.KindEmbedded) { // ours, in memory on purpose
		for _, w := range t.Warnings() {
			fmt.Fprintf(stderr, "warning: %s\n", w)
		}
	}

	progress := !o.asJSON && isTerminal(stderr)
	if progress {
		fmt.Fprint(stderr, "measuring the floor…")
		cfg.Tick = func(elapsed time.Duration, ops uint64) {
			fmt.Fprintf(stderr, "\r\033[K%s", bench.ProgressLine(elapsed, o.duration, ops))
		}
	}
	r, err := bench.Measure(ctx, t, cfg)
	if progress {
		fmt.Fprint(stderr, "\r\033[K")
	}
	if err != nil {
		return Exit(ExitUnavailable, err)
	}
	if o.asJSON {
		err = r.WriteJSON(cmd.OutOrStdout())
	} else {
		err = r.WriteTable(cmd.OutOrStdout())
	}
	if err != nil {
		return err
	}
	if r.Check != bench.CheckOK {
		return Exit(ExitFailed, fmt.Errorf("check failed: %s", strings.Join(r.CheckProblems, "; ")))
	}
	return nil
}

// config checks the workload flags; its errors are usage errors.
func (o benchOptions) config() (bench.Config, error) {
	keys, op := bench.KeyMode(o.keys), bench.Op(o.op)
	var bad string
	switch {
	case o.clients < 1:
		bad = fmt.Sprintf("--clients %d: want at least 1", o.clients)
	case keys != bench.KeysOwn && keys != bench.KeysShared:
		bad = fmt.Sprintf("--keys %q: want own or shared", o.keys)
	case op != bench.OpInc && op != bench.OpRMW:
		bad = fmt.Sprintf("--op %q: want inc or rmw", o.op)
	case o.duration <= 0:
		bad = fmt.Sprintf("--duration %s: want more than zero", o.duration)
	case o.proposers < 1:
		bad = fmt.Sprintf("--proposers %d: want at least 1", o.proposers)
	case o.maxBatch < 0:
		bad = fmt.Sprintf("--max-batch %d: want 0 (the default) or more", o.maxBatch)
	case o.floor < 0:
		bad = fmt.Sprintf("--floor %s: want 0 (skip) or more", o.floor)
	}
	if bad != "" {
		return bench.Config{}, errors.New(bad)
	}
	prefix, err := runPrefix()
	if err != nil {
		return bench.Config{}, err
	}
	return bench.Config{
		Options: bench.Options{Clients: o.clients, Keys: keys, Op: op, Duration: o.duration,
			OpTimeout: o.timeout, Prefix: prefix},
		Floor:     bench.FloorOptions{Duration: o.floor},
		SkipFloor: o.floor == 0,
	}, nil
}

// runPrefix returns key names no other run uses: "bench/20261125T131500-1f3a9c02".
func runPrefix() (string, error) {
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return "bench/" + time.Now().UTC().Format("20060102T150405") + "-" + hex.EncodeToString(b[:]), nil
}

// target resolves --nodes, --cluster or --backend into the nodes to
// connect to, starting local nodes for --backend; cleanup stops them.
func (o benchOptions) target(ctx context.Context) (bench.TargetOptions, string, func(), error) {
	topts := bench.TargetOptions{Namespace: o.namespace, Proposers: o.proposers, OneRTT: o.oneRTT, MaxBatch: o.maxBatch}
	none := func() {}
	given := 0
	for _, set := range []bool{len(o.nodes) > 0, o.clusterFile != "", o.backend != ""} {
		if set {
			given++
		}
	}
	switch {
	case given == 0:
		return topts, "", none, Usage(errors.New("no nodes: give --nodes host:port,…, --cluster FILE, or --backend process|embedded to start three"))
	case given > 1:
		return topts, "", none, Usage(errors.New("give only one of --nodes, --cluster and --backend"))
	case len(o.nodes) > 0:
		g := Globals{Nodes: o.nodes}
		eps, err := g.Endpoints()
		topts.Endpoints = eps
		return topts, string(cluster.KindRemote), none, err
	case o.clusterFile != "":
		f, err := cluster.LoadFile(o.clusterFile)
		if err != nil {
			return topts, "", none, Usage(fmt.Errorf("--cluster: %w", err))
		}
		topts, err = fileTarget(topts, f)
		if err != nil {
			return topts, "", none, Usage(fmt.Errorf("--cluster: %w", err))
		}
		return topts, string(f.Nodes[0].Backend), none, nil
	}
	kind, err := cluster.ResolveBackend(o.backend)
	if err != nil {
		return topts, "", none, Usage(fmt.Errorf("--backend: %w", err))
	}
	l, err := cluster.StartLocal(ctx, cluster.LocalOptions{Backend: string(kind), Namespace: o.namespace})
	if err != nil {
		return topts, "", none, Exit(ExitUnavailable, err)
	}
	cleanup := func() { _ = l.Close() }
	if topts, err = fileTarget(topts, l.File()); err != nil {
		cleanup()
		return topts, "", none, err
	}
	topts.InMemoryOK = kind == cluster.KindEmbedded
	return topts, string(kind), cleanup, nil
}

// fileTarget points topts at the nodes, identity and configuration of f.
func fileTarget(topts bench.TargetOptions, f cluster.File) (bench.TargetOptions, error) {
	eps, err := f.Endpoints()
	if err != nil {
		return topts, err
	}
	topts.Endpoints = eps
	topts.Identity = f.Identity
	if f.Namespace != "" {
		topts.Namespace = f.Namespace
	}
	topts.Config = &f.Config
	return topts, nil
}

// isTerminal reports whether w is a terminal, where a progress line that
// rewrites itself makes sense.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}
