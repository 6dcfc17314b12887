package cli

import (
	"bufio"
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/gryadka/gryadka/cluster"
	"github.com/gryadka/gryadka/serve"
)

func newServeRoot() *cobra.Command {
	g := &Globals{}
	root := &cobra.Command{Use: "gryadka", Args: UsageArgs(cobra.NoArgs), RunE: func(*cobra.Command, []string) error { return nil }}
	g.AddFlags(root.PersistentFlags())
	root.AddCommand(NewServeCommand(g))
	return root
}

func TestServeCommand_ServesUntilInterrupted(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	local, err := cluster.StartLocal(ctx, cluster.LocalOptions{Nodes: 3, Backend: "embedded"})
	if err != nil {
		t.Fatal(err)
	}
	defer local.Close()
	path := filepath.Join(t.TempDir(), cluster.FileName)
	if err := cluster.WriteFile(path, local.File()); err != nil {
		t.Fatal(err)
	}
	serveCtx, stop := context.WithCancel(ctx)
	defer stop()
	root := newServeRoot()
	root.SetContext(serveCtx)
	pr, pw := io.Pipe()
	code := make(chan int, 1)
	go func() {
		code <- Run(root, []string{"serve", "--cluster", path, "--http", "127.0.0.1:0", "--id", "p7", "--1rtt"}, io.Discard, pw)
		pw.Close()
	}()
	lines := bufio.NewScanner(pr)
	var url string
	for url == "" && lines.Scan() {
		if rest, ok := strings.CutPrefix(lines.Text(), "serving p7 on "); ok {
			url = rest
		}
	}
	if url == "" {
		t.Fatalf("want a line saying where it serves, have exit code %d", <-code)
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	c, err := serve.NewClient(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := c.Incr(ctx, "k", 2); err != nil || string(v.Value) != "2" {
		t.Fatalf("want 2, have %+v, %v", v, err)
	}
	doc, err := c.Config(ctx)
	if err != nil || doc.Proposer != "p7" || len(doc.Config.Prepare) != 3 {
		t.Fatalf("want p7 over 3 nodes, have %+v, %v", doc, err)
	}
	stop()
	if have := <-code; have != ExitOK {
		t.Errorf("want exit code %d after an interrupt, have %d", ExitOK, have)
	}
}

func TestServeCommand_Refuses(t *testing.T) {
	closed := closedAddr(t)
	tests := map[string]struct {
		args   []string
		code   int
		stderr string
	}{
		"bad id":         {args: []string{"--nodes", closed, "--id", "p 1"}, code: ExitUsage, stderr: "--id"},
		"no nodes":       {args: nil, code: ExitUsage, stderr: "no acceptors"},
		"bad address":    {args: []string{"--nodes", closed, "--http", "nowhere"}, code: ExitUsage, stderr: "--http nowhere"},
		"unreachable":    {args: []string{"--nodes", closed, "--timeout", "1s"}, code: ExitUnavailable, stderr: "cannot reach a quorum"},
		"extra args":     {args: []string{"k"}, code: ExitUsage, stderr: "unknown command"},
		"missing file":   {args: []string{"--cluster", filepath.Join(t.TempDir(), "none.json")}, code: ExitUsage, stderr: "--cluster"},
		"nodes and file": {args: []string{"--cluster", "x", "--nodes", closed}, code: ExitUsage, stderr: "not both"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			var stderr strings.Builder
			code := Run(newServeRoot(), append([]string{"serve", "--http", "127.0.0.1:0"}, tt.args...), io.Discard, &stderr)
			if code != tt.code || !strings.Contains(stderr.String(), tt.stderr) {
				t.Errorf("want code %d saying %q, have %d: %s", tt.code, tt.stderr, code, stderr.String())
			}
		})
	}
}
