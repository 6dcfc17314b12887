package cli

import (
	"github.com/spf13/cobra"
)

// NewRootCommand returns the gryadka command. Without a subcommand it
// opens the dashboard; the subcommands work headless, for scripts.
func NewRootCommand() *cobra.Command {
	g := &Globals{}
	d := &dashboardFlags{}
	root := &cobra.Command{
		Use:   "gryadka",
		Short: "A linearizable key-value store on CASPaxos over Redis, with a live dashboard",
		Long: `gryadka makes 2F+1 Redis instances work as one linearizable key-value store
that tolerates F failures, using the CASPaxos protocol.

Without a subcommand it opens the dashboard: on a local three-node cluster it
starts itself (real redis-server processes when installed, embedded Redis
otherwise), or, with --nodes or --cluster, on existing Redis acceptors.`,
		Example: `  gryadka                                  # dashboard on a local cluster
  gryadka --backend embedded --nodes-count 5
  gryadka set k 1 --nodes 127.0.0.1:7001,127.0.0.1:7002,127.0.0.1:7003
  gryadka up --dir ./c && gryadka incr k --cluster ./c/cluster.json`,
		Args: UsageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runDashboard(cmd.Context(), g, d)
		},
	}
	g.AddFlags(root.PersistentFlags())
	d.addFlags(root.Flags())
	root.AddCommand(NewKVCommands(g)...)
	root.AddCommand(NewServeCommand(g))
	root.AddCommand(NewGCCommand(g))
	root.AddCommand(NewMemberCommand(g))
	root.AddCommand(NewUpCommand(), NewDownCommand(), NewCheckCommand(), NewBenchCommand())
	root.AddCommand(NewReplayCommand())
	root.AddCommand(NewDemoCommand())
	return root
}
