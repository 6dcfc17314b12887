// Command dashmain opens the dashboard on a local cluster it starts
// itself. It is the binary of the dashboard's end-to-end test until the
// gryadka command runs the dashboard.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/gryadka/gryadka/cluster"
	"github.com/gryadka/gryadka/trace"
	"github.com/gryadka/gryadka/tui"
)

func main() {
	nodes := flag.Int("nodes", 3, "how many acceptor nodes to start")
	backend := flag.String("backend", "embedded", "embedded, process or auto")
	dir := flag.String("dir", "", "data directory of process nodes (default: a temporary one)")
	flag.Parse()
	if err := run(*nodes, *backend, *dir); err != nil {
		fmt.Fprintln(os.Stderr, "dashmain:", err)
		os.Exit(1)
	}
}

func run(nodes int, backend, dir string) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	bus := trace.NewBus()
	l, err := cluster.StartLocal(ctx, cluster.LocalOptions{Nodes: nodes, Backend: backend, Dir: dir, Tracer: bus})
	if err != nil {
		return err
	}
	defer l.Close()
	env, closeEnv, err := tui.NewLocalEnv(ctx, l, cluster.NewNetwork(cluster.NetworkOptions{Tracer: bus}), bus, 1)
	if err != nil {
		return err
	}
	defer closeEnv()
	return tui.Run(ctx, env)
}
