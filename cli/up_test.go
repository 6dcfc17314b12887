package cli

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/gryadka/gryadka/cluster"
	"github.com/gryadka/gryadka/paxos"
)

// upTestRoot is a root command with the global flags, so the tests also
// check that up's --nodes count shadows the global --nodes list.
func upTestRoot(ctx context.Context) *cobra.Command {
	root := &cobra.Command{Use: "gryadka"}
	g := &Globals{}
	g.AddFlags(root.PersistentFlags())
	root.AddCommand(NewUpCommand(), NewDownCommand())
	root.SetContext(ctx)
	return root
}

func upTestRun(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := Run(upTestRoot(context.Background()), args, &stdout, &stderr)
	return stdout.String(), stderr.String(), code
}

func upTestNeedRedisServer(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("redis-server is required under CI: %v", err)
		}
		t.Skipf("redis-server not found: %v", err)
	}
}

// upTestStopAll stops whatever the cluster file in dir still lists, so a
// failing test leaves no detached redis-server behind.
func upTestStopAll(t *testing.T, dir string) {
	t.Cleanup(func() {
		f, err := cluster.LoadFile(filepath.Join(dir, cluster.FileName))
		if err != nil {
			return
		}
		for _, n := range f.Nodes {
			if n.PID != 0 {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				_ = cluster.StopProcess(ctx, n.Name, n.Addr, n.PID)
				cancel()
			}
		}
	})
}

func upTestDial(t *testing.T, n cluster.FileNode, identity string) *cluster.RedisAcceptor {
	t.Helper()
	a, err := cluster.DialAcceptor(context.Background(), cluster.AcceptorOptions{
		Endpoint: cluster.Endpoint{Name: n.Name, Addr: n.Addr}, Identity: identity})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close() })
	return a
}

func TestUpCommand_ProcessUpDownUp(t *testing.T) {
	upTestNeedRedisServer(t)
	dir := t.TempDir()
	upTestStopAll(t, dir)
	path := filepath.Join(dir, cluster.FileName)
	out, errOut, code := upTestRun(t, "up", "--nodes", "3", "--dir", dir)
	if code != ExitOK {
		t.Fatalf("up: want exit %d, have %d: %s", ExitOK, code, errOut)
	}
	if !strings.Contains(out, "gryadka down --dir "+dir) {
		t.Fatalf("up does not say how to stop the cluster:\n%s", out)
	}
	f, err := cluster.LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if want, have := 3, len(f.Nodes); want != have {
		t.Fatalf("nodes: want %d, have %d", want, have)
	}
	ctx := context.Background()
	for _, n := range f.Nodes {
		if err := cluster.CheckProcess(ctx, n.Name, n.Addr, n.PID); err != nil {
			t.Fatalf("after up: %v", err)
		}
	}
	a := upTestDial(t, f.Nodes[0], f.Identity)
	if err := a.Accept(ctx, "k", paxos.Ballot{Counter: 1, Proposer: "p1.x"}, []byte("kept"), paxos.Ballot{}); err != nil {
		t.Fatalf("the node did not join the cluster: %v", err)
	}

	if _, errOut, code := upTestRun(t, "up", "--dir", dir); code != ExitFailed || !strings.Contains(errOut, "already up") {
		t.Fatalf("second up: want exit %d saying it is already up, have %d: %s", ExitFailed, code, errOut)
	}
	if _, errOut, code := upTestRun(t, "down", "--dir", dir); code != ExitOK {
		t.Fatalf("down: want exit %d, have %d: %s", ExitOK, code, errOut)
	}
	for _, n := range f.Nodes {
		if err := cluster.PingAddr(ctx, n.Addr); err == nil {
			t.Fatalf("%s still answers after down", n.Name)
		}
	}
	if _, errOut, code := upTestRun(t, "up", "--nodes", "5", "--dir", dir); code != ExitFailed || !strings.Contains(errOut, "--nodes 3") {
		t.Fatalf("up with more nodes on old data: want exit %d asking for --nodes 3, have %d: %s", ExitFailed, code, errOut)
	}
	if _, errOut, code := upTestRun(t, "up", "--dir", dir); code != ExitOK {
		t.Fatalf("up again: want exit %d, have %d: %s", ExitOK, code, errOut)
	}
	again, err := cluster.LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if want, have := f.Identity, again.Identity; want != have {
		t.Fatalf("identity after up again: want %s, have %s", want, have)
	}
	p, err := upTestDial(t, again.Nodes[0], f.Identity).Prepare(ctx, "k", paxos.Ballot{Counter: 2, Proposer: "p1.x"})
	if err != nil {
		t.Fatal(err)
	}
	if want, have := "kept", string(p.Value); want != have {
		t.Fatalf("value after down and up: want %q, have %q", want, have)
	}
	if _, errOut, code := upTestRun(t, "down", "--dir", dir); code != ExitOK {
		t.Fatalf("down: want exit %d, have %d: %s", ExitOK, code, errOut)
	}
}

func TestDownCommand_LeavesOtherProcessesAlone(t *testing.T) {
	upTestNeedRedisServer(t)
	dir := t.TempDir()
	n, err := cluster.NewNode(cluster.NodeOptions{Name: "a1", Kind: cluster.KindProcess, Dir: filepath.Join(dir, "a1")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = n.Close() })
	if err := n.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	f := cluster.File{Version: cluster.FileVersion, Identity: "x", Config: cluster.MajorityConfig("a1"),
		Nodes: []cluster.FileNode{{Name: "a1", Addr: n.Addr(), Backend: cluster.KindProcess, Dir: n.Dir(), PID: n.PID() + 1}}}
	if err := cluster.WriteFile(filepath.Join(dir, cluster.FileName), f); err != nil {
		t.Fatal(err)
	}
	_, errOut, code := upTestRun(t, "down", "--dir", dir)
	if code != ExitFailed || !strings.Contains(errOut, "not the one started for it") {
		t.Fatalf("want exit %d saying the process is not ours, have %d: %s", ExitFailed, code, errOut)
	}
	if err := cluster.PingAddr(context.Background(), n.Addr()); err != nil {
		t.Fatalf("down stopped a process it did not start: %v", err)
	}
}

// upTestBuffer is a bytes.Buffer safe to read while a command writes it.
type upTestBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *upTestBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *upTestBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

func TestUpCommand_EmbeddedStaysInForeground(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, cluster.FileName)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr upTestBuffer
	done := make(chan int, 1)
	go func() {
		done <- Run(upTestRoot(ctx), []string{"up", "--backend", "embedded", "--dir", dir}, &stdout, &stderr)
	}()
	for !strings.Contains(stdout.String(), "Ctrl-C") {
		select {
		case code := <-done:
			t.Fatalf("up ended with exit %d: %s", code, stderr.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	f, err := cluster.LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range f.Nodes {
		if err := cluster.PingAddr(ctx, n.Addr); err != nil {
			t.Fatalf("%s does not answer while up runs: %v", n.Name, err)
		}
	}
	cancel()
	if code := <-done; code != ExitOK {
		t.Fatalf("want exit %d, have %d: %s", ExitOK, code, stderr.String())
	}
	for _, n := range f.Nodes {
		if err := cluster.PingAddr(context.Background(), n.Addr); err == nil {
			t.Fatalf("%s still answers after up ended", n.Name)
		}
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("cluster file: want removed, have %v", err)
	}
}

func TestUpCommand_UsageErrors(t *testing.T) {
	for name, tc := range map[string]struct {
		args []string
		code int
		want string
	}{
		"no nodes":      {[]string{"up", "--nodes", "0"}, ExitUsage, "--nodes 0: want 1 to 99"},
		"bad backend":   {[]string{"up", "--backend", "docker"}, ExitUsage, `unknown backend "docker"`},
		"argument":      {[]string{"up", "now"}, ExitUsage, "unknown command"},
		"down no dir":   {[]string{"down", "--dir", "/nonexistent/gryadka"}, ExitUsage, "no cluster in /nonexistent/gryadka"},
		"down argument": {[]string{"down", "x"}, ExitUsage, "unknown command"},
	} {
		t.Run(name, func(t *testing.T) {
			_, errOut, code := upTestRun(t, tc.args...)
			if code != tc.code || !strings.Contains(errOut, tc.want) {
				t.Fatalf("want exit %d saying %q, have %d: %s", tc.code, tc.want, code, errOut)
			}
		})
	}
}

func TestUpCommand_WithoutRedisServer(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, errOut, code := upTestRun(t, "up", "--dir", t.TempDir())
	if code != ExitUnavailable || !strings.Contains(errOut, "--backend embedded") {
		t.Fatalf("want exit %d suggesting --backend embedded, have %d: %s", ExitUnavailable, code, errOut)
	}
}
