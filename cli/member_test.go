package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/spf13/cobra"

	"github.com/gryadka/gryadka/cluster"
	"github.com/gryadka/gryadka/paxos"
)

func memberTestRoot(ctx context.Context) *cobra.Command {
	root := &cobra.Command{Use: "gryadka"}
	g := &Globals{}
	g.AddFlags(root.PersistentFlags())
	root.AddCommand(NewMemberCommand(g))
	root.SetContext(ctx)
	return root
}

func memberTestRun(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var stdout, stderr bytes.Buffer
	code := Run(memberTestRoot(ctx), args, &stdout, &stderr)
	return stdout.String(), stderr.String(), code
}

// memberTestCluster starts three embedded nodes and one spare, writes the
// cluster file and returns its path and the spare's address.
func memberTestCluster(t *testing.T) (string, string) {
	t.Helper()
	ctx := t.Context()
	l, err := cluster.StartLocal(ctx, cluster.LocalOptions{Nodes: 3})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	spare, err := l.AddNode(ctx)
	if err != nil {
		t.Fatal(err)
	}
	p, err := l.Proposer(ctx, paxos.Options{ID: "t1"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"k1", "k2", "k3"} {
		if _, err := p.Change(ctx, k, func([]byte) ([]byte, error) { return []byte(`{"v":1}`), nil }); err != nil {
			t.Fatal(err)
		}
	}
	f := l.File()
	f.Nodes = f.Nodes[:3]
	f.Config = cluster.MajorityConfig("a1", "a2", "a3")
	path := filepath.Join(t.TempDir(), cluster.FileName)
	if err := cluster.WriteFile(path, f); err != nil {
		t.Fatal(err)
	}
	return path, spare.Addr()
}

func TestMemberCommand_AddsAndRemovesANode(t *testing.T) {
	path, spare := memberTestCluster(t)
	out, errOut, code := memberTestRun(t, "member", "add", "--node", spare, "--cluster", path)
	if code != ExitOK {
		t.Fatalf("add: want exit 0, have %d: %s", code, errOut)
	}
	for _, want := range []string{"new node a4", "grow step 3: rescan", "(3/3 keys", "finished: prepare 3/4 [a1 a2 a3 a4]"} {
		if !strings.Contains(out, want) {
			t.Errorf("add: want %q in the output, have\n%s", want, out)
		}
	}
	out, errOut, code = memberTestRun(t, "member", "remove", "a1", "--cluster", path)
	if code != ExitOK || !strings.Contains(out, "finished: prepare 2/3 [a2 a3 a4]") {
		t.Fatalf("remove: want exit 0 and 3 nodes, have %d:\n%s%s", code, out, errOut)
	}
	f, err := cluster.LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Nodes) != 3 || f.Nodes[2].Name != "a4" || f.Nodes[2].Backend != cluster.KindRemote {
		t.Errorf("file: want a2 a3 a4 (remote), have %+v", f.Nodes)
	}
}

func TestMemberCommand_FailedStepIsNamedAndResumed(t *testing.T) {
	path, spare := memberTestCluster(t)
	_, errOut, code := memberTestRun(t, "member", "add", "--node", spare, "--cluster", path,
		"--proposers", "http://127.0.0.1:1")
	if code != ExitFailed || !strings.Contains(errOut, "step 2 of 4 (grow step 2") || !strings.Contains(errOut, "run the change again") {
		t.Fatalf("want exit 1 naming step 2, have %d: %s", code, errOut)
	}
	out, _, _ := memberTestRun(t, "member", "status", "--cluster", path)
	if want := "add a4: 1 of 4 steps done; next: step 2"; !strings.Contains(out, want) {
		t.Errorf("status: want %q, have %q", want, out)
	}
	_, errOut, code = memberTestRun(t, "member", "remove", "a2", "--cluster", path)
	if code != ExitUsage || !strings.Contains(errOut, "in progress") {
		t.Errorf("another change: want exit 2 naming the change in progress, have %d: %s", code, errOut)
	}
	out, errOut, code = memberTestRun(t, "member", "add", "--cluster", path)
	if code != ExitOK || !strings.Contains(out, "resuming add a4") || strings.Contains(out, "step 1/4 started") {
		t.Errorf("rerun: want a resume from step 2, have %d:\n%s%s", code, out, errOut)
	}
}

func TestMemberCommand_RefusesWhatItCannotDo(t *testing.T) {
	path, _ := memberTestCluster(t)
	for name, tc := range map[string]struct {
		args []string
		want string
	}{
		"no cluster file":         {[]string{"member", "remove", "a1"}, "--cluster FILE is required"},
		"no node for embedded":    {[]string{"member", "add", "--cluster", path}, "give the new node's address with --node"},
		"a bad proposer address":  {[]string{"member", "remove", "a1", "--cluster", path, "--proposers", "127.0.0.1:8080"}, "--proposers"},
		"remove without the node": {[]string{"member", "remove", "--cluster", path}, "accepts 1 arg"},
	} {
		t.Run(name, func(t *testing.T) {
			_, errOut, code := memberTestRun(t, tc.args...)
			if code != ExitUsage || !strings.Contains(errOut, tc.want) {
				t.Errorf("want exit 2 and %q, have %d: %s", tc.want, code, errOut)
			}
		})
	}
}

func TestMemberCommand_StopsTheNodeItStartedWhenThePlanIsRefused(t *testing.T) {
	upTestNeedRedisServer(t)
	dir := t.TempDir()
	upTestStopAll(t, dir)
	path := filepath.Join(dir, cluster.FileName)
	if _, errOut, code := upTestRun(t, "up", "--nodes", "3", "--dir", dir); code != ExitOK {
		t.Fatalf("up: want exit %d, have %d: %s", ExitOK, code, errOut)
	}
	out, errOut, code := memberTestRun(t, "member", "replace", "a9", "--cluster", path)
	_, after, found := strings.Cut(out, "new node a4 at ")
	addr, _, _ := strings.Cut(after, "\n")
	if !found || addr == "" {
		t.Fatalf("want a node a4 started, have %d:\n%s%s", code, out, errOut)
	}
	t.Cleanup(func() { // only if the command left it running
		if cluster.PingAddr(context.Background(), addr) != nil {
			return
		}
		c := redis.NewClient(&redis.Options{Addr: addr})
		defer c.Close()
		_ = c.ShutdownNoSave(context.Background()).Err()
	})
	if code != ExitFailed || !strings.Contains(out, "stopped the new node a4") {
		t.Errorf("want exit %d and a4 stopped, have %d:\n%s%s", ExitFailed, code, out, errOut)
	}
	if err := cluster.PingAddr(context.Background(), addr); err == nil {
		t.Errorf("want a4 at %s stopped, have it answering", addr)
	}
	if _, err := os.Stat(filepath.Join(dir, "a4")); err != nil {
		t.Errorf("want a4's data directory kept, have %v", err)
	}
	f, err := cluster.LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Nodes) != 3 || f.Membership != nil && f.Membership.Plan != nil {
		t.Errorf("want the file unchanged, have nodes %+v and membership %+v", f.Nodes, f.Membership)
	}
}
