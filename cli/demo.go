package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/gryadka/gryadka/cluster"
	"github.com/gryadka/gryadka/demos"
	"github.com/gryadka/gryadka/trace"
	"github.com/gryadka/gryadka/tui"
)

// demoProposers is how many proposers a demo's cluster has: the scripts
// name p1 and p2.
const demoProposers = 2

// NewDemoCommand returns gryadka demo: the guided demos of CASPaxos.
func NewDemoCommand() *cobra.Command {
	var headless bool
	var backend string
	cmd := &cobra.Command{
		Use:   "demo [NAME|FILE]",
		Short: "Guided demos of CASPaxos: list them, or run one in the dashboard or headless",
		Long: `Without an argument, demo lists the built-in demos, one line each.

With a name, or the path of a demo script of your own, it starts a local
three-node cluster with two proposers and plays the demo in the dashboard:
the narration has its own panel, N goes to the next step, B back, A replays
a step, and the command line (:) stays yours throughout.

With --headless it plays the demo without a terminal, printing the narration
and the narrated trace, and exits with status 1 naming the checkpoint
(file:line) that did not hold.`,
		Example: `  gryadka demo
  gryadka demo duel
  gryadka demo crash --headless
  gryadka demo ./my_lesson.demo`,
		Args: UsageArgs(cobra.MaximumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return listDemos(cmd.OutOrStdout())
			}
			s, err := demos.Lookup(args[0])
			if err != nil {
				return Usage(err)
			}
			if _, err := cluster.ResolveBackend(backend); err != nil {
				return Usage(fmt.Errorf("--backend: %w", err))
			}
			return runDemo(cmd.Context(), s, backend, headless, cmd.OutOrStdout())
		},
	}
	cmd.Flags().BoolVar(&headless, "headless", false, "play the demo without a terminal and print what happens")
	cmd.Flags().StringVar(&backend, "backend", string(cluster.KindEmbedded),
		"local nodes: embedded (in-process Redis), process (redis-server) or auto")
	return cmd
}

// listDemos prints the built-in demos, one line each.
func listDemos(w io.Writer) error {
	all, err := demos.Builtin()
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, s := range all {
		fmt.Fprintf(tw, "%s\t%s\n", s.Name, s.Title)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w, "\nrun one with  gryadka demo NAME  (add --headless to print it), or your own with  gryadka demo FILE")
	return nil
}

// runDemo plays s on a local cluster it starts and stops.
func runDemo(ctx context.Context, s *demos.Script, backend string, headless bool, w io.Writer) error {
	bus := trace.NewBus()
	l, err := cluster.StartLocal(ctx, cluster.LocalOptions{Nodes: 3, Backend: backend, Tracer: bus})
	if err != nil {
		return Exit(ExitUnavailable, fmt.Errorf("starting the demo's cluster: %w", err))
	}
	defer l.Close()
	net := cluster.NewNetwork(cluster.NetworkOptions{Tracer: bus, Seed: time.Now().UnixNano()})
	env, closeEnv, err := tui.NewLocalEnv(ctx, l, net, bus, demoProposers)
	if err != nil {
		return Exit(ExitUnavailable, err)
	}
	defer closeEnv()
	if !headless {
		p := demos.NewPlayer(ctx, env, s)
		defer p.Close()
		env.Demo, env.Title = p, "demo "+s.Name
		return tui.Run(ctx, env)
	}
	r := demos.NewRunner(ctx, env)
	defer r.Close()
	start := time.Now()
	err = r.Run(s, w)
	switch {
	case errors.Is(err, demos.ErrCheckpoint), errors.Is(err, demos.ErrStatement):
		return Exit(ExitFailed, fmt.Errorf("demo %s failed: %w", s.Name, err))
	case err != nil:
		return err
	}
	fmt.Fprintf(w, "\ndemo %s passed in %s\n", s.Name, trace.Duration(time.Since(start)))
	return nil
}
