package tui

import (
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gryadka/gryadka/cluster"
	"github.com/gryadka/gryadka/kv"
	"github.com/gryadka/gryadka/paxos"
	"github.com/gryadka/gryadka/serve"
	"github.com/gryadka/gryadka/trace"
)

// startLocal starts a local cluster of 3 nodes, stopped by the test.
func startLocal(t *testing.T, backend string, tracer paxos.Tracer) *cluster.Local {
	t.Helper()
	if backend == string(cluster.KindProcess) {
		if _, err := exec.LookPath("redis-server"); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("redis-server is required under CI: %v", err)
			}
			t.Skip("redis-server is not installed")
		}
	}
	l, err := cluster.StartLocal(context.Background(), cluster.LocalOptions{Nodes: 3, Backend: backend, Dir: t.TempDir(), Tracer: tracer})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	return l
}

// startServe runs a serve proposer over f on 127.0.0.1 and returns its
// URL and a function that stops it (the test stops it too).
func startServe(t *testing.T, f cluster.File, id string) (string, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s, err := serve.New(ctx, serve.Options{ID: id, File: f, OneRTT: true})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			<-done
			_ = s.Close()
		})
	}
	t.Cleanup(stop)
	return "http://" + ln.Addr().String(), stop
}

// attach attaches to urls, closed by the test.
func attach(t *testing.T, bus *trace.Bus, urls ...string) Env {
	t.Helper()
	env, closeEnv, err := NewRemoteEnv(context.Background(), RemoteOptions{URLs: urls}, bus)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = closeEnv() })
	return env
}

// waitFor polls cond until it holds, failing the test after 10s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("waited 10s for %s", what)
		}
	}
}

func connected(cl Client) bool { return cl.Proposer.Status(context.Background()).Down == "" }

func TestRemoteEnv_TwoServeProposersSideBySide(t *testing.T) {
	l := startLocal(t, "embedded", nil)
	u1, _ := startServe(t, l.File(), "p1")
	u2, stop2 := startServe(t, l.File(), "p2")
	bus := trace.NewBus()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sub := bus.Subscribe(ctx, trace.WithBuffer(1<<12))
	env := attach(t, bus, u1, u2)
	if len(env.Clients) != 2 || env.Links != nil || env.Nodes == nil || len(env.Nodes.List()) != 3 {
		t.Fatalf("want 2 proposers, the 3 nodes and no links, have %+v", env)
	}
	waitFor(t, "both trace streams", func() bool { return connected(env.Clients[0]) && connected(env.Clients[1]) })

	d := newDriver(t, env, 120, 40)
	d.command("set k 1")
	wantStatus(t, d, "set k 1 → 1 (version 1)")
	e, err := env.Clients[1].Store.Incr(ctx, "k", 1)
	if err != nil || e.Value != int64(2) || e.Version != 2 {
		t.Fatalf("incr through p2: want 2 (version 2), have %v, %v", e, err)
	}
	finished := map[string]bool{}
	waitFor(t, "both proposers' changes in the trace", func() bool {
		select {
		case r := <-sub.C():
			if f, ok := r.Event.(paxos.ChangeFinished); ok && f.Committed {
				finished[shortProposer(f.Proposer)] = true
			}
		default:
		}
		return finished["p1"] && finished["p2"]
	})

	d.command("partition p1 a1")
	wantStatus(t, d, "cannot be cut from here")
	d.command("1rtt off")
	wantStatus(t, d, "its 1RTT setting is chosen")

	stop2()
	waitFor(t, "p2 marked disconnected", func() bool { return !connected(env.Clients[1]) })
	d.msg(tickMsg{At: time.Now()})
	if v := view(d); !strings.Contains(v, "p2    ✗ "+u2+" disconnected") || !strings.Contains(v, "p1    ▲ "+u1) {
		t.Errorf("want p1 up and p2 disconnected, have\n%s", v)
	}
}

func TestRemoteEnv_RefusesTwoServersOfOneProposer(t *testing.T) {
	l := startLocal(t, "embedded", nil)
	u1, _ := startServe(t, l.File(), "p1")
	u2, _ := startServe(t, l.File(), "p1")
	_, _, err := NewRemoteEnv(context.Background(), RemoteOptions{URLs: []string{u1, u2}}, trace.NewBus())
	if !errors.Is(err, ErrSameProposer) || !strings.Contains(err.Error(), "start each serve with its own --proposer ID") {
		t.Errorf("want ErrSameProposer in words, have %v", err)
	}
}

func TestRemoteKV_ErrorsLikeAStore(t *testing.T) {
	l := startLocal(t, "embedded", nil)
	u, _ := startServe(t, l.File(), "p1")
	c, err := serve.NewClient(u, nil)
	if err != nil {
		t.Fatal(err)
	}
	r, ctx := RemoteKV{C: c}, context.Background()
	if _, err := r.Get(ctx, "absent"); !errors.Is(err, kv.ErrNotFound) {
		t.Errorf("get absent: want kv.ErrNotFound, have %v", err)
	}
	if _, err := r.Set(ctx, "k", map[string]any{"a": 1}); err != nil {
		t.Fatal(err)
	}
	_, err = r.CAS(ctx, "k", 7, "x")
	var mismatch *kv.MismatchError
	var op *kv.OpError
	if !errors.As(err, &mismatch) || mismatch.Current != 1 || mismatch.Expected != 7 || !errors.As(err, &op) || op.Entry.Version != 1 {
		t.Errorf("cas at a wrong version: want a mismatch at version 1 with the entry, have %v", err)
	}
	e, err := r.Get(ctx, "k")
	if err != nil || e.Value.(map[string]any)["a"] != int64(1) {
		t.Errorf("get: want {a: 1} as kv values, have %#v, %v", e.Value, err)
	}
}
