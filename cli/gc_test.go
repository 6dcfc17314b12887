package cli

import (
	"bytes"
	"context"
	"io"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/gryadka/gryadka/cluster"
	"github.com/gryadka/gryadka/serve"
)

func newGCRoot() *cobra.Command {
	g := &Globals{}
	root := &cobra.Command{Use: "gryadka", Args: UsageArgs(cobra.NoArgs), RunE: func(*cobra.Command, []string) error { return nil }}
	g.AddFlags(root.PersistentFlags())
	root.AddCommand(NewGCCommand(g))
	return root
}

// gcCluster starts three embedded nodes and a `gryadka serve` proposer over
// them, and returns the cluster file's path and the proposer.
func gcCluster(t *testing.T) (string, *serve.Server, *serve.Client) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	local, err := cluster.StartLocal(ctx, cluster.LocalOptions{Nodes: 3, Backend: "embedded"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = local.Close() })
	path := filepath.Join(t.TempDir(), cluster.FileName)
	if err := cluster.WriteFile(path, local.File()); err != nil {
		t.Fatal(err)
	}
	s, err := serve.New(ctx, serve.Options{ID: "p1", File: local.File(), OneRTT: true})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	serveCtx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(serveCtx, ln) }()
	t.Cleanup(func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
		_ = s.Close()
	})
	c, err := serve.NewClient("http://"+ln.Addr().String(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return path, s, c
}

func TestGCCommand_CollectsEveryTombstone(t *testing.T) {
	path, s, c := gcCluster(t)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	for _, k := range []string{"gone1", "gone2", "live"} {
		if _, err := c.Set(ctx, k, 1); err != nil {
			t.Fatal(err)
		}
	}
	for _, k := range []string{"gone1", "gone2"} {
		if _, err := c.Delete(ctx, k); err != nil {
			t.Fatal(err)
		}
	}
	var out, errOut bytes.Buffer
	code := Run(newGCRoot(), []string{"gc", "--cluster", path, "--proposers", c.URL()}, &out, &errOut)
	if code != ExitOK {
		t.Fatalf("want exit %d, have %d: %s%s", ExitOK, code, out.String(), errOut.String())
	}
	if want := "keys collected: 2, skipped (they hold a value): 0, failed: 0"; !strings.Contains(out.String(), want) {
		t.Errorf("want %q in\n%s", want, out.String())
	}
	if want := `key "gone2" ▸ remove`; !strings.Contains(out.String(), want) {
		t.Errorf("want each step printed, with %q, in\n%s", want, out.String())
	}
	if want, have := uint64(2), s.Proposer().Age(); want != have {
		t.Errorf("want the proposer's age raised once per key, to %d, have %d", want, have)
	}
	for k, want := range map[string]uint64{"gone1": 0, "gone2": 0, "live": 1} {
		v, err := c.Get(ctx, k)
		if err != nil || v.Version != want || v.Deleted {
			t.Errorf("%s: want version %d, not deleted, have %+v, %v", k, want, v, err)
		}
	}
}

func TestGCCommand_Refuses(t *testing.T) {
	path, _, c := gcCluster(t)
	closed := "http://" + closedAddr(t)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if _, err := c.Set(ctx, "k", 1); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Delete(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	tests := map[string]struct {
		args []string
		code int
		want []string
	}{
		"no proposers named": {args: []string{"k"}, code: ExitUsage, want: []string{"--proposers", "--no-proposers"}},
		"both":               {args: []string{"k", "--no-proposers", "--proposers", c.URL()}, code: ExitUsage, want: []string{"contradict"}},
		"bad url":            {args: []string{"k", "--proposers", "127.0.0.1:1"}, code: ExitUsage, want: []string{"--proposers"}},
		"proposer down": {args: []string{"k", "--proposers", c.URL() + "," + closed}, code: ExitUnavailable,
			want: []string{"step invalidate", closed, "failed: 1"}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := Run(newGCRoot(), append([]string{"gc", "--cluster", path}, tt.args...), &out, &errOut)
			if code != tt.code {
				t.Fatalf("want exit %d, have %d: %s%s", tt.code, code, out.String(), errOut.String())
			}
			for _, w := range tt.want {
				if !strings.Contains(out.String()+errOut.String(), w) {
					t.Errorf("want %q in\n%s%s", w, out.String(), errOut.String())
				}
			}
		})
	}
	v, err := c.Get(ctx, "k")
	if err != nil || !v.Deleted {
		t.Errorf("want the tombstone kept after the refusals, have %+v, %v", v, err)
	}
}

func TestServeCommand_GCNeedsEveryPeer(t *testing.T) {
	tests := map[string]struct {
		args []string
		want string
	}{
		"gc without peers": {args: []string{"--gc"}, want: "--no-peers"},
		"peers without gc": {args: []string{"--peers", "http://127.0.0.1:1"}, want: "only matter with --gc"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			args := append([]string{"serve", "--nodes", closedAddr(t), "--http", "127.0.0.1:0"}, tt.args...)
			if code := Run(newServeRoot(), args, &out, &errOut); code != ExitUsage {
				t.Fatalf("want exit %d, have %d: %s", ExitUsage, code, errOut.String())
			}
			if !strings.Contains(errOut.String(), tt.want) {
				t.Errorf("want %q in %q", tt.want, errOut.String())
			}
		})
	}
}

func TestGCCommand_WatchCollectsUntilInterrupted(t *testing.T) {
	path, _, c := gcCluster(t)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	watchCtx, stop := context.WithCancel(ctx)
	defer stop()
	root := newGCRoot()
	root.SetContext(watchCtx)
	var out syncBuffer
	code := make(chan int, 1)
	go func() {
		code <- Run(root, []string{"gc", "--watch", "--cluster", path, "--proposers", c.URL(),
			"--grace", "1ms", "--scan-every", "20ms"}, &out, io.Discard)
	}()
	if _, err := c.Set(ctx, "k", 1); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Delete(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	for !strings.Contains(out.String(), `key "k" ▸ remove`) {
		select {
		case <-ctx.Done():
			t.Fatalf("want k collected, have\n%s", out.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	stop()
	if have := <-code; have != ExitOK {
		t.Errorf("want exit %d after an interrupt, have %d", ExitOK, have)
	}
	if want := "keys collected: 1,"; !strings.Contains(out.String(), want) {
		t.Errorf("want %q in\n%s", want, out.String())
	}
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
