package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gryadka/gryadka/kv"
	"github.com/gryadka/gryadka/paxos"
	"github.com/gryadka/gryadka/trace"
)

// NewKVCommands returns get, set, cas, incr, del and change, which run one
// key-value operation against the acceptors named by g.
func NewKVCommands(g *Globals) []*cobra.Command {
	return []*cobra.Command{
		kvCommand(g, &cobra.Command{
			Use:   "get KEY",
			Short: "Read a key: its value and version",
			Long: "Read a key. A CASPaxos read is a change that writes the current value back,\n" +
				"so it is linearizable. Exits 1 when the key does not exist.",
			Example: "  gryadka get k --nodes 127.0.0.1:7001,127.0.0.1:7002,127.0.0.1:7003",
			Args:    UsageArgs(cobra.ExactArgs(1)),
		}, false, func(args []string, _ func(string) any) (kvOp, error) {
			return func(ctx context.Context, s *kv.Store) (kv.Entry, error) { return s.Get(ctx, args[0]) }, nil
		}),
		kvCommand(g, &cobra.Command{
			Use:   "set KEY VALUE",
			Short: "Write a value, whatever the key held",
			Long: "Write a value. VALUE is JSON when it reads as JSON (42, 1.5, true, \"text\", [1,2],\n" +
				"{\"a\":1}), otherwise a string; --string always stores a string.",
			Example: "  gryadka set k 42\n  gryadka set k 'hello world'",
			Args:    UsageArgs(cobra.ExactArgs(2)),
		}, true, func(args []string, value func(string) any) (kvOp, error) {
			return func(ctx context.Context, s *kv.Store) (kv.Entry, error) {
				return s.Set(ctx, args[0], value(args[1]))
			}, nil
		}),
		kvCommand(g, &cobra.Command{
			Use:   "cas KEY VERSION VALUE",
			Short: "Write a value if the key is at VERSION",
			Long: "Compare and set: write VALUE only if the key is at VERSION (0 for a key never\n" +
				"written; a deleted key keeps its version). Exits 1, changing nothing, otherwise.",
			Example: "  gryadka cas k 3 43",
			Args:    UsageArgs(cobra.ExactArgs(3)),
		}, true, func(args []string, value func(string) any) (kvOp, error) {
			version, err := strconv.ParseUint(args[1], 10, 64)
			if err != nil {
				return nil, Usage(fmt.Errorf("VERSION %q: want a whole number, 0 for a key never written", args[1]))
			}
			return func(ctx context.Context, s *kv.Store) (kv.Entry, error) {
				return s.CAS(ctx, args[0], version, value(args[2]))
			}, nil
		}),
		kvCommand(g, &cobra.Command{
			Use:     "incr KEY [DELTA]",
			Short:   "Add DELTA (default 1) to an integer",
			Long:    "Add DELTA (default 1, may be negative) to the key's integer. A missing key counts as 0.",
			Example: "  gryadka incr hits\n  gryadka incr stock -- -5",
			Args:    UsageArgs(cobra.RangeArgs(1, 2)),
		}, false, func(args []string, _ func(string) any) (kvOp, error) {
			delta := int64(1)
			if len(args) == 2 {
				d, err := strconv.ParseInt(args[1], 10, 64)
				if err != nil {
					return nil, Usage(fmt.Errorf("DELTA %q: want a whole number such as 1 or -5", args[1]))
				}
				delta = d
			}
			return func(ctx context.Context, s *kv.Store) (kv.Entry, error) { return s.Incr(ctx, args[0], delta) }, nil
		}),
		kvCommand(g, &cobra.Command{
			Use:     "del KEY",
			Aliases: []string{"delete"},
			Short:   "Delete a key",
			Long:    "Delete a key: a tombstone that keeps its version. Exits 1 when the key does not exist.",
			Example: "  gryadka del k",
			Args:    UsageArgs(cobra.ExactArgs(1)),
		}, false, func(args []string, _ func(string) any) (kvOp, error) {
			return func(ctx context.Context, s *kv.Store) (kv.Entry, error) { return s.Delete(ctx, args[0]) }, nil
		}),
		kvCommand(g, &cobra.Command{
			Use:   "change KEY EXPRESSION",
			Short: "Apply an update expression to a key",
			Long: "Apply an expression (expr-lang) to the key's value x, nil when it has none; the\n" +
				"result is the new value, and nil deletes the key. The expression sees only x and\n" +
				"pure built-in functions, and its size and running time are limited.",
			Example: "  gryadka change k 'x == nil ? 1 : x + 1'\n  gryadka change k 'upper(x)'",
			Args:    UsageArgs(cobra.MinimumNArgs(2)),
		}, false, func(args []string, _ func(string) any) (kvOp, error) {
			src := strings.Join(args[1:], " ")
			return func(ctx context.Context, s *kv.Store) (kv.Entry, error) { return s.Change(ctx, args[0], src) }, nil
		}),
	}
}

// kvOp is one key-value operation, ready to run.
type kvOp func(context.Context, *kv.Store) (kv.Entry, error)

// kvCommand completes c with its flags and a RunE that builds the
// operation from the arguments (prepare may fail with a usage error) and
// runs it. value reads a VALUE argument, honouring --string.
func kvCommand(g *Globals, c *cobra.Command, hasValue bool, prepare func(args []string, value func(string) any) (kvOp, error)) *cobra.Command {
	var asString, asJSON bool
	if hasValue {
		c.Flags().BoolVar(&asString, "string", false, "store VALUE as a string even if it reads as JSON")
	}
	c.Flags().BoolVar(&asJSON, "json", false, `print the result as one JSON object: {"key":…,"version":…,"value":…}`)
	c.ValidArgsFunction = cobra.NoFileCompletions
	c.RunE = func(cmd *cobra.Command, args []string) error {
		op, err := prepare(args, func(text string) any {
			if asString {
				return text
			}
			return kv.ParseValue(text)
		})
		if err != nil {
			return err
		}
		return runKV(cmd, g, args[0], asJSON, op)
	}
	return c
}

// runKV connects, runs op through a fresh proposer and prints the result,
// preceded by the message sequence chart with --trace.
func runKV(cmd *cobra.Command, g *Globals, key string, asJSON bool, op kvOp) error {
	ctx, cancel := context.WithTimeout(cmd.Context(), g.timeout())
	defer cancel()
	conn, err := g.Connect(ctx, cmd.ErrOrStderr())
	if err != nil {
		return err
	}
	defer conn.Close()
	var collector *trace.Collector
	var tracer paxos.Tracer
	if g.Trace {
		collector = &trace.Collector{}
		tracer = collector
	}
	p, err := g.NewProposer(conn, tracer)
	if err != nil {
		return err
	}
	e, err := op(ctx, kv.New(p))
	if collector != nil {
		fmt.Fprint(cmd.OutOrStdout(), trace.Sequence(collector.Records()))
	}
	if err != nil {
		return kvExit(err, g)
	}
	return printEntry(cmd.OutOrStdout(), key, e, asJSON)
}

// printEntry writes e as `42 (version 3)`, or as JSON with key.
func printEntry(w io.Writer, key string, e kv.Entry, asJSON bool) error {
	if !asJSON {
		_, err := fmt.Fprintln(w, e)
		return err
	}
	out := struct {
		Key     string `json:"key"`
		Version uint64 `json:"version"`
		Value   any    `json:"value,omitempty"`
		Deleted bool   `json:"deleted,omitempty"`
	}{key, e.Version, e.Value, e.Deleted}
	return json.NewEncoder(w).Encode(out)
}

// kvExit turns a kv error into an ExitError with a message in words.
func kvExit(err error, g *Globals) error {
	var op *kv.OpError
	prefix := ""
	if errors.As(err, &op) {
		prefix = op.Op + " " + op.Key + ": "
	}
	say := func(code int, format string, args ...any) error {
		return Exit(code, fmt.Errorf(prefix+format, args...))
	}
	switch {
	case errors.Is(err, kv.ErrBadExpression), errors.Is(err, kv.ErrBadValue):
		return Exit(ExitUsage, err)
	case errors.Is(err, kv.ErrUnknownOutcome):
		return say(ExitUnknown, "outcome unknown: %s; the change reached some acceptors but not a quorum, "+
			"so it may or may not take effect; read the key to find out", cause(err))
	case errors.Is(err, kv.ErrConflict):
		return say(ExitConflict, "other proposers kept winning the key (%s); nothing changed, try again", cause(err))
	case errors.Is(err, paxos.ErrNoQuorum):
		return say(ExitUnavailable, "no quorum: %s; nothing changed (--trace shows each node's answer)", cause(err))
	case errors.Is(err, context.DeadlineExceeded):
		return say(ExitUnavailable, "no answer within %v; nothing changed", g.timeout())
	case errors.Is(err, kv.ErrNotFound) && op != nil && op.Entry.Deleted:
		return say(ExitFailed, "not found (deleted at version %d)", op.Entry.Version)
	}
	return Exit(ExitFailed, err)
}

// cause returns the protocol's reason for a failed change, without the
// package prefixes: "quorum not reached: 1 of 3 accept replies, 2 needed".
func cause(err error) string {
	var ce *paxos.ChangeError
	if errors.As(err, &ce) {
		err = ce.Err
	}
	return strings.ReplaceAll(err.Error(), "paxos: ", "")
}
