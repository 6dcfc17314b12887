package cluster

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/gryadka/gryadka/paxos"
)

func localTestStart(t *testing.T, opts LocalOptions) *Local {
	t.Helper()
	ignore := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, ignore) })
	l, err := StartLocal(nodeTestContext(t), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	return l
}

func localTestProposer(t *testing.T, l *Local, network *Network) *paxos.Proposer {
	t.Helper()
	p, err := l.Proposer(nodeTestContext(t), paxos.Options{ID: "p1", RoundTimeout: time.Second}, network)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func localTestSet(v string) paxos.UpdateFunc {
	return func([]byte) ([]byte, error) { return []byte(v), nil }
}

func TestStartLocal_CommitsWithAMajority(t *testing.T) {
	for _, kind := range nodeTestKinds(t) {
		t.Run(string(kind), func(t *testing.T) {
			l := localTestStart(t, LocalOptions{Backend: string(kind)})
			p := localTestProposer(t, l, nil)
			ctx := nodeTestContext(t)
			if _, err := p.Change(ctx, "k", localTestSet("v1")); err != nil {
				t.Fatal(err)
			}
			nodes := l.Nodes()
			if err := nodes[0].Kill(); err != nil {
				t.Fatal(err)
			}
			if _, err := p.Change(ctx, "k", localTestSet("v2")); err != nil {
				t.Fatalf("two of three nodes up: %v", err)
			}
			if err := nodes[1].Kill(); err != nil {
				t.Fatal(err)
			}
			if _, err := p.Change(ctx, "k", localTestSet("v3")); !errors.Is(err, paxos.ErrNoQuorum) {
				t.Fatalf("one of three nodes up: want ErrNoQuorum, have %v", err)
			}
			for _, n := range nodes[:2] {
				if err := n.Restart(ctx); err != nil {
					t.Fatal(err)
				}
			}
			v, err := p.Change(ctx, "k", func(s []byte) ([]byte, error) { return s, nil })
			if err != nil {
				t.Fatal(err)
			}
			if string(v) != "v2" && string(v) != "v3" {
				t.Fatalf("read after restart: want v2 or v3 (v3's outcome is unknown), have %q", v)
			}
		})
	}
}

func TestLocal_WipedNodeDoesNotVote(t *testing.T) {
	l := localTestStart(t, LocalOptions{})
	p := localTestProposer(t, l, nil)
	ctx := nodeTestContext(t)
	nodes := l.Nodes()
	if err := nodes[0].Wipe(ctx); err != nil {
		t.Fatal(err)
	}
	if err := nodes[1].Kill(); err != nil {
		t.Fatal(err)
	}
	_, err := p.Change(ctx, "k", localTestSet("v"))
	if !errors.Is(err, paxos.ErrNoQuorum) {
		t.Fatalf("a wiped node and one good node: want ErrNoQuorum, have %v", err)
	}
}

func TestLocal_ProposerGoesThroughNetwork(t *testing.T) {
	l := localTestStart(t, LocalOptions{})
	network := NewNetwork(NetworkOptions{})
	p := localTestProposer(t, l, network)
	ctx := nodeTestContext(t)
	if _, err := p.Change(ctx, "k", localTestSet("v1")); err != nil {
		t.Fatal(err)
	}
	for _, a := range []string{"a1", "a2"} {
		if err := network.Partition("p1", a, FailFast); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := p.Change(ctx, "k", localTestSet("v2")); !errors.Is(err, paxos.ErrNoQuorum) {
		t.Fatalf("p1 cut off from a1 and a2: want ErrNoQuorum, have %v", err)
	}
}

func TestLocal_CloseStopsEveryProcess(t *testing.T) {
	nodeNeedRedisServer(t)
	l, err := StartLocal(nodeTestContext(t), LocalOptions{Backend: "process"})
	if err != nil {
		t.Fatal(err)
	}
	dir := l.Dir()
	var pids []int
	for _, n := range l.Nodes() {
		pids = append(pids, n.PID())
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	for i, pid := range pids {
		if !processGone(pid) {
			t.Errorf("node a%d (pid %d) still runs after Close", i+1, pid)
		}
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("temporary directory %s: want removed, have %v", dir, err)
	}
}

func TestLocal_FileDescribesTheCluster(t *testing.T) {
	for _, kind := range nodeTestKinds(t) {
		t.Run(string(kind), func(t *testing.T) {
			dir := t.TempDir()
			l := localTestStart(t, LocalOptions{Backend: string(kind), Dir: dir, Nodes: 5})
			path := filepath.Join(dir, FileName)
			if err := WriteFile(path, l.File()); err != nil {
				t.Fatal(err)
			}
			f, err := LoadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if want, have := l.Identity(), f.Identity; want != have {
				t.Fatalf("identity: want %s, have %s", want, have)
			}
			if want, have := 5, len(f.Nodes); want != have {
				t.Fatalf("nodes: want %d, have %d", want, have)
			}
			if want, have := 3, f.Config.PrepareQuorum; want != have {
				t.Fatalf("prepare quorum: want %d, have %d", want, have)
			}
			for _, n := range f.Nodes {
				if n.Backend != kind || (kind == KindProcess) != (n.PID != 0) {
					t.Fatalf("node %+v does not describe a %s node", n, kind)
				}
			}
		})
	}
}

func TestResolveBackend(t *testing.T) {
	for name, tc := range map[string]struct {
		want NodeKind
		ok   bool
	}{
		"":         {KindEmbedded, true},
		"embedded": {KindEmbedded, true},
		"process":  {KindProcess, true},
		"remote":   {"", false},
		"docker":   {"", false},
	} {
		t.Run(name, func(t *testing.T) {
			have, err := ResolveBackend(name)
			if (err == nil) != tc.ok || have != tc.want {
				t.Fatalf("want %q (ok %v), have %q (%v)", tc.want, tc.ok, have, err)
			}
		})
	}
}

func TestStartLocal_RejectsBadOptions(t *testing.T) {
	for name, opts := range map[string]LocalOptions{
		"negative nodes": {Nodes: -1},
		"too many nodes": {Nodes: 100},
		"bad backend":    {Backend: "docker"},
		"no binary":      {Backend: "process", RedisServer: "/nonexistent/redis-server", Dir: t.TempDir()},
	} {
		t.Run(name, func(t *testing.T) {
			if l, err := StartLocal(nodeTestContext(t), opts); err == nil {
				_ = l.Close()
				t.Fatal("want an error, have nil")
			}
		})
	}
}
