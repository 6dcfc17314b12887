package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/gryadka/gryadka/cluster"
)

// DefaultClusterDir is where `gryadka up` and `gryadka down` keep a
// cluster unless --dir says otherwise.
const DefaultClusterDir = "gryadka-cluster"

type upOptions struct {
	nodes   int
	backend string
	dir     string
}

// NewUpCommand returns `gryadka up`, which starts a local cluster and
// writes its description to D/cluster.json. Process nodes run in the
// background and outlive the command; embedded nodes live in the command's
// own process, so with --backend embedded it stays in the foreground until
// Ctrl-C, then stops them and removes the file.
func NewUpCommand() *cobra.Command {
	var o upOptions
	c := &cobra.Command{
		Use:   "up [--nodes 3] [--backend process|embedded] [--dir D]",
		Short: "Start a local cluster of Redis acceptors",
		Long: `Start a local cluster of Redis acceptors and write its description to D/cluster.json,
for other commands to use with --cluster D/cluster.json.

With --backend process (the default) each node is a redis-server started in D/aN with a safe
acceptor configuration (appendonly yes, appendfsync always, noeviction, 127.0.0.1 only). The
processes keep running after this command ends: stop them with 'gryadka down --dir D'. Their
data stays in D, and 'gryadka up --dir D' starts the same cluster again.

With --backend embedded the nodes are in-memory Redis servers inside this command, which
cannot outlive it: the command stays in the foreground until Ctrl-C, then stops them and
removes D/cluster.json.`,
		Args: UsageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error { return runUp(cmd, o) },
	}
	fs := c.Flags()
	fs.IntVar(&o.nodes, "nodes", 3, "how many nodes to start, named a1..aN")
	fs.StringVar(&o.backend, "backend", string(cluster.KindProcess), "process (redis-server), embedded (in memory, foreground) or auto")
	fs.StringVar(&o.dir, "dir", DefaultClusterDir, "directory `D` for the cluster file and the nodes' data")
	return c
}

func runUp(cmd *cobra.Command, o upOptions) error {
	if o.nodes < 1 || o.nodes > 99 {
		return Usage(fmt.Errorf("--nodes %d: want 1 to 99", o.nodes))
	}
	kind, err := cluster.ResolveBackend(o.backend)
	if err != nil {
		return Usage(fmt.Errorf("--backend: %w", err))
	}
	dir, err := filepath.Abs(o.dir)
	if err != nil {
		return Usage(fmt.Errorf("--dir: %w", err))
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("--dir: %w", err)
	}
	// Ctrl-C while the nodes start stops those already started: detached
	// processes would otherwise outlive us without a cluster file.
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	path := filepath.Join(dir, cluster.FileName)
	identity, err := previousCluster(ctx, path, kind, o.nodes)
	if err != nil {
		return err
	}
	l, err := cluster.StartLocal(ctx, cluster.LocalOptions{
		Nodes: o.nodes, Backend: string(kind), Dir: dir, Identity: identity, Detach: kind == cluster.KindProcess,
	})
	if errors.Is(err, cluster.ErrNoRedisServer) {
		return Exit(ExitUnavailable, fmt.Errorf("%w\n(or run: gryadka up --backend embedded)", err))
	}
	if err != nil {
		return Exit(ExitUnavailable, err)
	}
	f := l.File()
	if err := cluster.WriteFile(path, f); err != nil {
		return errors.Join(err, l.Close())
	}
	printUp(cmd.OutOrStdout(), f, dir, path)
	if kind == cluster.KindProcess {
		return nil
	}
	fmt.Fprintln(cmd.OutOrStdout(), "embedded nodes live in this process: press Ctrl-C to stop them")
	<-ctx.Done()
	err = l.Close()
	if rmErr := os.Remove(path); rmErr != nil && !errors.Is(rmErr, os.ErrNotExist) {
		err = errors.Join(err, rmErr)
	}
	fmt.Fprintln(cmd.OutOrStdout(), "stopped; removed", path)
	return err
}

// previousCluster looks at what an earlier `gryadka up` left in path. It
// refuses when that cluster still runs or cannot be restarted as asked, and
// returns the identity to restart a stopped process cluster with ("" for
// a new cluster).
func previousCluster(ctx context.Context, path string, kind cluster.NodeKind, nodes int) (string, error) {
	old, err := cluster.LoadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	dir := filepath.Dir(path)
	if err != nil {
		return "", fmt.Errorf("%w\nfix it, or remove %s to start a new cluster there", err, dir)
	}
	for _, n := range old.Nodes {
		switch {
		case n.PID != 0 && cluster.CheckProcess(ctx, n.Name, n.Addr, n.PID) == nil:
			return "", fmt.Errorf("a cluster is already up in %s (%s is pid %d on %s): stop it with 'gryadka down --dir %s'",
				dir, n.Name, n.PID, n.Addr, dir)
		case n.Backend == cluster.KindEmbedded && cluster.PingAddr(ctx, n.Addr) == nil:
			return "", fmt.Errorf("a cluster is already up in %s (%s answers on %s): it belongs to a 'gryadka up' "+
				"still running in the foreground; stop that one with Ctrl-C", dir, n.Name, n.Addr)
		}
	}
	if old.Nodes[0].Backend != cluster.KindProcess {
		return "", nil // an embedded cluster left no data
	}
	if kind != cluster.KindProcess {
		return "", fmt.Errorf("%s holds the data of a stopped process cluster: use --backend process to start it again, "+
			"or another --dir", dir)
	}
	if len(old.Nodes) != nodes {
		return "", fmt.Errorf("%s holds a stopped cluster of %d nodes: use --nodes %d to start it again, or another --dir "+
			"(adding empty nodes to it this way would be unsafe)", dir, len(old.Nodes), len(old.Nodes))
	}
	return old.Identity, nil
}

func printUp(w io.Writer, f cluster.File, dir, path string) {
	fmt.Fprintf(w, "started %d %s nodes (cluster %s):\n", len(f.Nodes), f.Nodes[0].Backend, f.Identity)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, n := range f.Nodes {
		if n.PID != 0 {
			fmt.Fprintf(tw, "  %s\t%s\tpid %d\t%s\n", n.Name, n.Addr, n.PID, n.Dir)
		} else {
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", n.Name, n.Addr, n.Backend)
		}
	}
	_ = tw.Flush()
	c := f.Config
	fmt.Fprintf(w, "configuration: prepare %d of [%s], accept %d of [%s]\n",
		c.PrepareQuorum, strings.Join(c.Prepare, " "), c.AcceptQuorum, strings.Join(c.Accept, " "))
	fmt.Fprintf(w, "cluster file:  %s\n", path)
	fmt.Fprintf(w, "use it with:   gryadka get KEY --cluster %s\n", path)
	if f.Nodes[0].PID != 0 {
		fmt.Fprintf(w, "stop it with:  gryadka down --dir %s\n", dir)
	}
}

// NewDownCommand returns `gryadka down`, which stops the redis-server
// processes `gryadka up` started in D, and only those: a node is stopped
// only if the Redis on its address reports the pid in the cluster file.
// The data stays in D for a later `gryadka up`.
func NewDownCommand() *cobra.Command {
	var dir string
	c := &cobra.Command{
		Use:   "down [--dir D]",
		Short: "Stop the local cluster that 'gryadka up' started",
		Long: `Stop the redis-server processes that 'gryadka up --dir D' started, as listed in D/cluster.json.
A process is stopped only if the Redis on the node's address reports the pid in the file, so a
reused pid or port is left alone. The data stays in D: 'gryadka up --dir D' starts the same
cluster again, and deleting D forgets it.`,
		Args: UsageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error { return runDown(cmd, dir) },
	}
	c.Flags().StringVar(&dir, "dir", DefaultClusterDir, "directory `D` of the cluster")
	return c
}

func runDown(cmd *cobra.Command, dir string) error {
	path := filepath.Join(dir, cluster.FileName)
	f, err := cluster.LoadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return Usage(fmt.Errorf("no cluster in %s: %s does not exist", dir, path))
	}
	if err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	var refused []string
	for i, n := range f.Nodes {
		switch {
		case n.Backend == cluster.KindEmbedded:
			fmt.Fprintf(out, "%s: embedded, it lives in the 'gryadka up' that started it: stop that one with Ctrl-C\n", n.Name)
			continue
		case n.Backend != cluster.KindProcess:
			fmt.Fprintf(out, "%s: %s node, not a process of ours: left alone\n", n.Name, n.Backend)
			continue
		case n.PID == 0:
			fmt.Fprintf(out, "%s: not running\n", n.Name)
			continue
		}
		ctx, cancel := context.WithTimeout(cmd.Context(), 15*time.Second)
		err := cluster.StopProcess(ctx, n.Name, n.Addr, n.PID)
		cancel()
		switch {
		case err == nil:
			fmt.Fprintf(out, "%s: stopped pid %d\n", n.Name, n.PID)
		case errors.Is(err, cluster.ErrNotRunning):
			fmt.Fprintf(out, "%s: was not running\n", n.Name)
		default:
			refused = append(refused, err.Error())
			continue
		}
		f.Nodes[i].PID = 0
	}
	if err := cluster.WriteFile(path, f); err != nil {
		return err
	}
	if len(refused) > 0 {
		return fmt.Errorf("some nodes were left running:\n  %s", strings.Join(refused, "\n  "))
	}
	fmt.Fprintf(out, "data kept in %s: 'gryadka up --dir %s' starts this cluster again\n", dir, dir)
	return nil
}
