// Command gryadka is a linearizable key-value store built on CASPaxos over
// Redis acceptors, with a live terminal dashboard. Run it without arguments
// to open the dashboard on a local cluster; `gryadka --help` lists the
// headless commands.
package main

import (
	"context"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/gryadka/gryadka/cli"
	"github.com/gryadka/gryadka/cluster"
)

func main() {
	// The Redis client's own messages would print over the dashboard and
	// mix with command output; errors reach the user through gryadka's.
	cluster.SetRedisLog(io.Discard)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	root := cli.NewRootCommand()
	root.SetContext(ctx)
	code := cli.Run(root, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
