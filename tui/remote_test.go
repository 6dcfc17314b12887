package tui

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
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
	u := "http://" + ln.Addr().String()
	c, err := serve.NewClient(u, nil)
	if err != nil {
		t.Fatal(err)
	}
	// The server dials its nodes in the background: wait until it reads.
	waitFor(t, "the server to reach a quorum", func() bool {
		_, err := c.Get(ctx, "ready")
		return err == nil
	})
	return u, stop
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

	d := newDriver(t, env, 160, 40)
	d.command("set k 1")
	d.keys("y") // the cluster belongs to someone else: writes are confirmed
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
	d.keys("y")
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

func TestRemoteEnv_MemberAddConfiguresEveryServer(t *testing.T) {
	l := startLocal(t, string(cluster.KindProcess), nil)
	u1, _ := startServe(t, l.File(), "p1")
	u2, _ := startServe(t, l.File(), "p2")
	env := attach(t, trace.NewBus(), u1, u2)
	n, err := l.AddNode(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	d := newDriver(t, env, 160, 40)
	d.command("set k 1")
	d.keys("y")
	d.command("member add")
	d.keys("y")
	wantStatus(t, d, "cannot start nodes; give the new node's address")
	d.command("member add " + n.Addr())
	d.keys("y")
	wantStatus(t, d, "member add "+n.Addr()+": done")
	for _, u := range []string{u1, u2} {
		c, _ := serve.NewClient(u, nil)
		doc, err := c.Config(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"a1", "a2", "a3", "a4"}; strings.Join(doc.Config.Prepare, " ") != strings.Join(want, " ") ||
			doc.Config.PrepareQuorum != 3 || doc.Version != 3 {
			t.Errorf("%s: want version 3 with prepare 3/4 %v, have version %d %v", u, want, doc.Version, paxos.Layout(doc.Config))
		}
	}
	// The servers dial the new node in the background: wait until reads
	// work through each, then check that the value survived.
	for _, cl := range env.Clients {
		var e kv.Entry
		waitFor(t, "a read through "+cl.Proposer.ID(), func() bool {
			var err error
			e, err = cl.Store.Get(context.Background(), "k")
			return err == nil
		})
		if e.Value != int64(1) || e.Version != 1 {
			t.Errorf("through %s: want 1 (version 1), have %s", cl.Proposer.ID(), e)
		}
	}
}

// A configuration replaced by someone else between our read and our
// write is not overwritten: the step fails and says so.
func TestServeProposers_StaleConfigIsReloadedAndReported(t *testing.T) {
	l := startLocal(t, "embedded", nil)
	u, _ := startServe(t, l.File(), "p1")
	c, _ := serve.NewClient(u, nil)
	ctx := context.Background()
	doc, err := c.Config(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Someone else sets quorums 3/3 (version 2) while we ask for 3/1.
	other := doc
	other.Config.PrepareQuorum, other.Config.AcceptQuorum = 3, 3
	ours := doc.Config
	ours.PrepareQuorum, ours.AcceptQuorum = 3, 1
	target, _ := url.Parse(u)
	proxy := httputil.NewSingleHostReverseProxy(target)
	var once sync.Once
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut {
			once.Do(func() {
				if _, err := c.PutConfig(ctx, other); err != nil {
					t.Errorf("the other change: %v", err)
				}
			})
		}
		proxy.ServeHTTP(w, r)
	}))
	defer ts.Close()
	pc, _ := serve.NewClient(ts.URL, nil)
	err = serveProposers{pc}.Apply(ctx, doc.Nodes, ours)
	if !errors.Is(err, ErrConfigChanged) || !strings.Contains(err.Error(), "went from version 1 to 2") {
		t.Errorf("want ErrConfigChanged in words, have %v", err)
	}
	if now, _ := c.Config(ctx); now.Config.PrepareQuorum != 3 {
		t.Errorf("want the other change kept, have %v", paxos.Layout(now.Config))
	}
}
