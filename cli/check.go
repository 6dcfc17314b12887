package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/gryadka/gryadka/check"
	"github.com/gryadka/gryadka/cluster"
)

type checkOptions struct {
	duration time.Duration
	backend  string
	seed     int64
	negative string
	keys     int
	clients  int
	html     string
	timeout  time.Duration
	history  string
}

// NewCheckCommand returns `gryadka check`, a Jepsen-style test on a local
// cluster: clients run get, set, cas, incr and del while a seeded nemesis
// breaks nodes and links; the history is checked for linearizability and
// the acceptors are audited.
func NewCheckCommand() *cobra.Command {
	var o checkOptions
	c := &cobra.Command{
		Use:   "check [--duration 30s] [--backend embedded|process] [--seed N] [--negative quorum|wipe|indefinite]",
		Short: "Break a local cluster on purpose and check that it stays linearizable",
		Long: `Start a local cluster of three acceptors and three proposers, run concurrent clients doing
get, set, cas, incr and del on a few keys, and let a nemesis interleave faults with heals: kill and
restart, pause, a minority partition, each proposer losing a different node, one-way links, drops,
delays, duplicates, and a wiped node re-added the safe way (its state copied from the others before
it may vote again). Then heal, write and read every key once more, check the history key by key
with porcupine, and audit the acceptors.

Operations whose outcome is unknown stay possibly-applied for the rest of the history. The same
seed replays the same fault schedule. On a violation, porcupine's visualization of the history
is written to --html, with the faults marked; a --html given on the command line is written
whatever the verdict, and --history writes the history as porcupine's JSON. A checker that
runs out of time means "not verified", never a pass.

--negative runs a deliberately broken set-up that the check must catch: quorum (quorums of one,
which do not intersect), wipe (wiped nodes vote without the identity guard) or indefinite
(clients take unknown outcomes for failures).

Exit status: 0 when the history is linearizable (with --negative: when the violation was caught),
1 otherwise, 2 on bad arguments.`,
		Example: "  gryadka check --duration 10s\n" +
			"  gryadka check --backend process --seed 7\n" +
			"  gryadka check --duration 5s --negative quorum",
		Args: UsageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !cmd.Flags().Changed("seed") {
				o.seed = time.Now().UnixNano() % 1_000_000
			}
			return runCheck(cmd, o)
		},
	}
	fs := c.Flags()
	fs.DurationVar(&o.duration, "duration", 30*time.Second, "how long the clients run under the nemesis")
	fs.StringVar(&o.backend, "backend", string(cluster.KindEmbedded), "embedded (in memory) or process (redis-server)")
	fs.Int64Var(&o.seed, "seed", 0, "seed of the fault schedule and the workload (default: drawn and printed)")
	fs.StringVar(&o.negative, "negative", "", "run a negative control that must be caught: quorum, wipe or indefinite")
	fs.IntVar(&o.keys, "keys", 4, "keys the clients share")
	fs.IntVar(&o.clients, "clients", 12, "concurrent clients, each on one key (at most 8 per key)")
	fs.StringVar(&o.html, "html", "", "write porcupine's visualization of the history here, always (default: of a violation only, to gryadka-check-SEED[-NEGATIVE].html in the temporary directory)")
	fs.DurationVar(&o.timeout, "check-timeout", time.Minute, "give the linearizability checker this long")
	fs.StringVar(&o.history, "history", "", "write the checked history to `FILE` as JSON of porcupine operations, per key")
	_ = c.RegisterFlagCompletionFunc("backend", cobra.FixedCompletions(
		[]string{string(cluster.KindEmbedded), string(cluster.KindProcess)}, cobra.ShellCompDirectiveNoFileComp))
	_ = c.RegisterFlagCompletionFunc("negative", cobra.FixedCompletions(
		[]string{string(check.NegativeQuorum), string(check.NegativeWipe), string(check.NegativeIndefinite)},
		cobra.ShellCompDirectiveNoFileComp))
	return c
}

func runCheck(cmd *cobra.Command, o checkOptions) error {
	negative, err := check.ParseNegative(o.negative)
	if err != nil {
		return Usage(fmt.Errorf("--negative: %w", err))
	}
	kind, err := cluster.ResolveBackend(o.backend)
	if err != nil {
		return Usage(fmt.Errorf("--backend: %w", err))
	}
	switch {
	case o.duration <= 0:
		return Usage(fmt.Errorf("--duration %v: want a positive time, such as 30s", o.duration))
	case o.timeout <= 0:
		return Usage(fmt.Errorf("--check-timeout %v: want a positive time, such as 1m", o.timeout))
	case o.keys < 1 || o.clients < 1:
		return Usage(errors.New("--keys and --clients must be at least 1"))
	case (o.clients+o.keys-1)/o.keys > 8:
		return Usage(fmt.Errorf("--clients %d on --keys %d puts more than 8 clients on a key, too many for the checker; add keys",
			o.clients, o.keys))
	}
	html := o.html
	if html == "" {
		name := fmt.Sprintf("gryadka-check-%d", o.seed)
		if negative != check.NegativeNone {
			name += "-" + string(negative)
		}
		html = filepath.Join(os.TempDir(), name+".html")
	}
	out := cmd.OutOrStdout()
	fmt.Fprintf(out, "seed %d: replay with --seed %d\n", o.seed, o.seed)
	rep, err := check.Run(cmd.Context(), check.Options{
		Duration:     o.duration,
		Backend:      string(kind),
		Seed:         o.seed,
		Negative:     negative,
		Workload:     check.Workload{Keys: o.keys, Clients: o.clients},
		CheckTimeout: o.timeout,
		HTMLPath:     html,
		Progress:     out,
	})
	if err != nil {
		return err
	}
	if err := writeCheckExports(o, cmd.Flags().Changed("html"), rep); err != nil {
		return err
	}
	rep.Write(out)
	if o.history != "" {
		fmt.Fprintf(out, "operations:  %s (%d, as porcupine JSON)\n", o.history, len(rep.History))
	}
	if !rep.Passed() {
		return Exit(ExitFailed, errors.New("check failed: "+rep.Verdict()))
	}
	return nil
}
