package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/gryadka/gryadka/paxos"
	"github.com/gryadka/gryadka/trace"
)

// writeRecording runs three changes of p1 on MemAcceptors and writes
// their trace as --record would, followed by extra lines. It returns the
// file and the numbers of the changes.
func writeRecording(t *testing.T, extra string) (string, []paxos.ChangeID) {
	t.Helper()
	var col trace.Collector
	p, err := paxos.NewProposer(paxos.Options{ID: "p1", Incarnation: "0", OneRTT: true, Tracer: &col,
		Config: paxos.Majority(paxos.NewMemAcceptor("a1"), paxos.NewMemAcceptor("a2"), paxos.NewMemAcceptor("a3"))})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		ctx := paxos.WithLabel(context.Background(), fmt.Sprintf("set k %d", i))
		if _, err := p.Change(ctx, "k", func([]byte) ([]byte, error) { return fmt.Appendf(nil, "%d", i), nil }); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	var ids []paxos.ChangeID
	for _, r := range col.Records() {
		if e, ok := r.Event.(paxos.ChangeStarted); ok {
			ids = append(ids, e.Change)
		}
		line, err := r.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		buf.Write(append(line, '\n'))
	}
	buf.WriteString(extra)
	path := filepath.Join(t.TempDir(), "run.jsonl")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, ids
}

func runReplayCommand(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	root := &cobra.Command{Use: "gryadka", Args: UsageArgs(cobra.NoArgs)}
	root.AddCommand(NewReplayCommand())
	var out, errOut bytes.Buffer
	code = Run(root, append([]string{"replay"}, args...), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestReplayCommand_ExportsMermaid(t *testing.T) {
	path, ids := writeRecording(t, "")
	code, out, errOut := runReplayCommand(t, path, "--export", "mermaid")
	if code != ExitOK {
		t.Fatalf("want exit %d, have %d: %s", ExitOK, code, errOut)
	}
	for _, want := range []string{"sequenceDiagram\n", "    participant p1\n", "p1->>a1: prepare 1:p1.0",
		fmt.Sprintf("Note over p1: change %d committed \"2\" in 1 RTT", ids[2])} {
		if !strings.Contains(out, want) {
			t.Errorf("want the diagram to contain %q, have\n%s", want, out)
		}
	}
}

func TestReplayCommand_ExportsOneChangeToAFile(t *testing.T) {
	path, ids := writeRecording(t, "")
	out := filepath.Join(t.TempDir(), "change.txt")
	code, _, errOut := runReplayCommand(t, path, "--export", "text", "--change", fmt.Sprintf("p1#%d", ids[1]), "-o", out)
	if code != ExitOK {
		t.Fatalf("want exit %d, have %d: %s", ExitOK, code, errOut)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if s := string(data); !strings.Contains(s, fmt.Sprintf("#%d set k 1", ids[1])) ||
		strings.Contains(s, fmt.Sprintf("#%d ", ids[0])) || strings.Contains(s, fmt.Sprintf("#%d ", ids[2])) {
		t.Errorf("want change 2 only, have\n%s", s)
	}
	code, _, errOut = runReplayCommand(t, path, "--export", "text", "-o", out)
	if code != ExitFailed || !strings.Contains(errOut, "already exists: "+out+"; add --force") {
		t.Errorf("want a refusal to overwrite, have exit %d: %s", code, errOut)
	}
	code, _, errOut = runReplayCommand(t, path, "--export", "text", "-o", out, "--force")
	if code != ExitOK {
		t.Errorf("want --force to overwrite, have exit %d: %s", code, errOut)
	}
	if data2, _ := os.ReadFile(out); bytes.Equal(data, data2) {
		t.Error("want the whole recording written over the one change")
	}
}

func TestReplayCommand_WarnsAboutADamagedRecording(t *testing.T) {
	path, _ := writeRecording(t, "{\"seq\":99,\"kind\":\"paxos.sen")
	code, out, errOut := runReplayCommand(t, path, "--export", "text")
	if code != ExitOK || !strings.Contains(out, "committed") {
		t.Fatalf("want the readable part exported, have exit %d: %s", code, errOut)
	}
	if !strings.Contains(errOut, "warning: the recording is damaged: line ") {
		t.Errorf("want a warning naming the bad line, have %q", errOut)
	}
}

func TestReplayCommand_Errors(t *testing.T) {
	path, _ := writeRecording(t, "")
	tests := map[string]struct {
		args []string
		code int
		want string
	}{
		"format":         {args: []string{path, "--export", "svg"}, code: ExitUsage, want: "want mermaid or text"},
		"change alone":   {args: []string{path, "--change", "p1#1"}, code: ExitUsage, want: "go with --export"},
		"bad change":     {args: []string{path, "--export", "text", "--change", "p1"}, code: ExitUsage, want: "not a change"},
		"missing change": {args: []string{path, "--export", "text", "--change", "p1#99"}, code: ExitFailed, want: "change p1#99 is not in"},
		"missing file":   {args: []string{filepath.Join(t.TempDir(), "nope"), "--export", "text"}, code: ExitFailed, want: "no such file"},
		"no file":        {args: nil, code: ExitUsage, want: "accepts 1 arg"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			code, _, errOut := runReplayCommand(t, tc.args...)
			if code != tc.code || !strings.Contains(errOut, tc.want) {
				t.Errorf("want exit %d saying %q, have exit %d: %s", tc.code, tc.want, code, errOut)
			}
		})
	}
}
