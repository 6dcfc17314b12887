package cli

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/gryadka/gryadka/trace"
	"github.com/gryadka/gryadka/tui"
)

type replayOptions struct {
	export string
	change string
	out    string
	force  bool
}

// NewReplayCommand returns `gryadka replay FILE`: a recording made with
// --record played back in the dashboard, or exported without a terminal.
func NewReplayCommand() *cobra.Command {
	var o replayOptions
	c := &cobra.Command{
		Use:   "replay FILE [--export mermaid|text [--change ID] [-o OUT]]",
		Short: "Play a recorded run back in the dashboard, or export it as a diagram",
		Long: `Play back a recording written by 'gryadka --record FILE' in the dashboard: read-only,
without a cluster, with pause and play, steps forwards and backwards one event or one change,
speeds from 0.25x to 16x of the recorded pace, and seek (:seek 120, :seek 50%, :seek p1#12,
:seek 2s). Stepping back rebuilds the panels from the start, so every position looks exactly
as it did when played.

With --export, nothing is shown: the recording, or one change of it with --change, is written
as a Mermaid sequence diagram or as a plain-text sequence chart, to stdout or to -o OUT (an
existing OUT is kept unless --force).

A damaged or truncated recording is replayed as far as it can be read, and the bad lines are
reported.`,
		Example: "  gryadka --record run.jsonl      # record a session of the dashboard\n" +
			"  gryadka replay run.jsonl\n" +
			"  gryadka replay run.jsonl --export mermaid --change p1#3 -o change.md",
		Args: UsageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runReplay(cmd, args[0], o)
		},
	}
	fs := c.Flags()
	fs.StringVar(&o.export, "export", "", "write the recording as mermaid or text instead of showing it")
	fs.StringVar(&o.change, "change", "", "with --export: only the change `ID`, as p1#12")
	fs.StringVarP(&o.out, "output", "o", "", "with --export: write to `OUT` instead of stdout")
	fs.BoolVar(&o.force, "force", false, "with --export -o: overwrite OUT if it exists")
	_ = c.RegisterFlagCompletionFunc("export", cobra.FixedCompletions(
		[]string{tui.ExportMermaid, tui.ExportText}, cobra.ShellCompDirectiveNoFileComp))
	return c
}

func runReplay(cmd *cobra.Command, path string, o replayOptions) error {
	switch {
	case o.export != "" && o.export != tui.ExportMermaid && o.export != tui.ExportText:
		return Usage(fmt.Errorf("--export %q: want mermaid or text", o.export))
	case o.export == "" && (o.change != "" || o.out != "" || o.force):
		return Usage(fmt.Errorf("--change, -o and --force go with --export"))
	}
	var ref trace.ChangeRef
	if o.change != "" {
		var err error
		if ref, err = trace.ParseChangeRef(o.change); err != nil {
			return Usage(fmt.Errorf("--change: %w", err))
		}
	}
	rec, err := tui.LoadRecording(path)
	if err != nil {
		return err
	}
	if text := rec.ProblemText(); text != "" {
		fmt.Fprintf(cmd.ErrOrStderr(), "%s: warning: %s\n", cmd.Root().Name(), text)
	}
	if o.export == "" {
		return tui.RunReplay(cmd.Context(), rec)
	}
	records := rec.Records
	if o.change != "" {
		if records, err = trace.SelectChange(records, ref); err != nil {
			return err
		}
	}
	out, err := tui.Export(o.export, records)
	if err != nil {
		return err
	}
	if o.out == "" {
		_, err = io.WriteString(cmd.OutOrStdout(), out)
		return err
	}
	abs, err := tui.WriteExport(o.out, []byte(out), o.force)
	if err != nil {
		return err
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "wrote %d events of %s to %s\n", len(records), o.export, abs)
	return nil
}
