package serve

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gryadka/gryadka/cluster"
	"github.com/gryadka/gryadka/gc"
	"github.com/gryadka/gryadka/paxos"
)

// gcEnv is two servers, p1 and p2, over one local cluster of embedded
// nodes, and a collector's view of the nodes.
type gcEnv struct {
	local   *cluster.Local
	servers []*Server
	clients []*Client
	stops   []func() error
	nodes   []gc.Acceptor
}

func startGCEnv(t testing.TB) *gcEnv {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	local, err := cluster.StartLocal(ctx, cluster.LocalOptions{Nodes: 3, Backend: string(cluster.KindEmbedded)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = local.Close() })
	env := &gcEnv{local: local}
	for _, id := range []string{"p1", "p2"} {
		s, c, stop := serveGC(t, local.File(), id, nil, nil)
		env.servers, env.clients, env.stops = append(env.servers, s), append(env.clients, c), append(env.stops, stop)
	}
	accs, err := local.Acceptors(ctx, "gc", nil)
	if err != nil {
		t.Fatal(err)
	}
	if env.nodes, err = gc.AsAcceptors(accs...); err != nil {
		t.Fatal(err)
	}
	return env
}

// serveGC serves a one-RTT proposer over f on 127.0.0.1 until the test
// ends, collecting garbage with o when it is not nil, and returns a client
// of it whose transport is rt (nil: plain).
func serveGC(t testing.TB, f cluster.File, id string, rt http.RoundTripper, o *GCOptions) (*Server, *Client, func() error) {
	t.Helper()
	s, err := New(testCtx(t), Options{ID: id, File: f, OneRTT: true, RoundTimeout: time.Second,
		AcceptorTimeout: time.Second, RequestTimeout: 5 * time.Second, GC: o})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	tr := &http.Transport{}
	if rt == nil {
		rt = tr
	}
	c, err := NewClient("http://"+ln.Addr().String(), &http.Client{Transport: rt})
	if err != nil {
		t.Fatal(err)
	}
	stop := sync.OnceValue(func() error { cancel(); return <-done })
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Errorf("Serve: %v", err)
		}
		tr.CloseIdleConnections()
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s, c, stop
}

func (e *gcEnv) collector(t testing.TB, proposers gc.Proposers) *gc.Collector {
	t.Helper()
	c, err := gc.New(gc.Config{Acceptors: e.nodes, Proposers: proposers, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// holders returns the nodes that still hold key.
func (e *gcEnv) holders(t *testing.T, key string) []string {
	t.Helper()
	var out []string
	for _, n := range e.nodes {
		st, err := n.(gc.Scanner).State(testCtx(t), key)
		if err != nil {
			t.Fatal(err)
		}
		if !st.Accepted.IsZero() || !st.Promise.IsZero() {
			out = append(out, n.Name())
		}
	}
	return out
}

// writeAndDelete writes key through every server, so each caches it, then
// deletes it through the last: through another, its stale cache would
// meet the last one's promise, and the outcome could be unknown.
func (e *gcEnv) writeAndDelete(t testing.TB, key string) {
	t.Helper()
	ctx := testCtx(t)
	for _, c := range e.clients {
		if _, err := c.Incr(ctx, key, 1); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.clients[len(e.clients)-1].Delete(ctx, key); err != nil {
		t.Fatal(err)
	}
}

func TestProposers_CollectOverHTTP(t *testing.T) {
	env := startGCEnv(t)
	ctx := testCtx(t)
	env.writeAndDelete(t, "k")
	res, err := env.collector(t, NewProposers(env.clients...)).CollectKey(ctx, "k")
	if err != nil || !res.Done() {
		t.Fatalf("want the key collected, have %+v, %v", res, err)
	}
	if have := env.holders(t, "k"); len(have) != 0 {
		t.Errorf("want the key gone from every node, have it on %v", have)
	}
	for _, s := range env.servers {
		p := s.Proposer()
		if want, have := uint64(1), p.Age(); want != have {
			t.Errorf("%s: want age %d, have %d", p.ID(), want, have)
		}
		if p.CachedKeys() != 0 || p.Counter() < res.Tombstone.Counter {
			t.Errorf("%s: want no cached key and a counter past %s, have %d keys and counter %d",
				p.ID(), res.Tombstone, p.CachedKeys(), p.Counter())
		}
	}
	for i, c := range env.clients {
		v, err := c.Incr(ctx, "k", 1)
		if err != nil {
			t.Fatalf("incr through p%d after the collection: %v", i+1, err)
		}
		if want, have := uint64(i+1), v.Version; want != have {
			t.Errorf("p%d: want version %d, have %d", i+1, want, have)
		}
	}
}

func TestProposers_RetriedAgeRequestRaisesOnce(t *testing.T) {
	env := startGCEnv(t)
	ctx := testCtx(t)
	c := env.clients[0]
	steps := []struct {
		atLeast uint64
		want    uint64
	}{{1, 1}, {1, 1}, {0, 2}, {3, 3}, {3, 3}, {2, 3}}
	for _, s := range steps {
		age, err := c.GCRaiseAge(ctx, s.atLeast)
		if err != nil {
			t.Fatal(err)
		}
		if age.Age != s.want || age.Proposer != env.servers[0].Proposer().ID() {
			t.Errorf("at_least %d: want age %d of %s, have %+v", s.atLeast, s.want, env.servers[0].Proposer().ID(), age)
		}
	}
}

// losing drops the answer of the first age request after the server
// handled it, as a connection cut on the way back would.
type losing struct {
	rt   http.RoundTripper
	once sync.Once
}

func (l *losing) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := l.rt.RoundTrip(r)
	lost := false
	if err == nil && r.URL.Path == "/admin/gc/age" {
		l.once.Do(func() { lost = true })
	}
	if lost {
		resp.Body.Close()
		return nil, errors.New("connection reset by peer")
	}
	return resp, err
}

func TestProposers_LostAgeAnswerRaisesOnce(t *testing.T) {
	env := startGCEnv(t)
	_, c, _ := serveGC(t, env.local.File(), "p3", &losing{rt: &http.Transport{DisableKeepAlives: true}}, nil)
	p := NewProposers(c)
	ctx := testCtx(t)
	if err := p.Invalidate(ctx, "k", paxos.Ballot{Counter: 5, Proposer: "gc.x"}); err != nil {
		t.Fatal(err)
	}
	ages, err := p.RaiseAge(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(ages) != 1 || ages[0].Age != 1 {
		t.Errorf("want age 1 after a lost answer and a retry, have %+v", ages)
	}
}

func TestServer_GCBadRequests(t *testing.T) {
	env := startGCEnv(t)
	tests := map[string]struct {
		method, path, body string
		want               int
	}{
		"empty invalidate":   {"POST", "/admin/gc/invalidate", "", http.StatusBadRequest},
		"no key":             {"POST", "/admin/gc/invalidate", `{"tombstone":"7:gc.x"}`, http.StatusBadRequest},
		"bad ballot":         {"POST", "/admin/gc/invalidate", `{"key":"k","tombstone":"seven"}`, http.StatusBadRequest},
		"zero ballot":        {"POST", "/admin/gc/invalidate", `{"key":"k","tombstone":""}`, http.StatusBadRequest},
		"unknown field":      {"POST", "/admin/gc/invalidate", `{"key":"k","tombstone":"7:gc.x","x":1}`, http.StatusBadRequest},
		"trailing data":      {"POST", "/admin/gc/age", `{} {}`, http.StatusBadRequest},
		"negative at_least":  {"POST", "/admin/gc/age", `{"at_least":-1}`, http.StatusBadRequest},
		"age by GET":         {"GET", "/admin/gc/age", "", http.StatusMethodNotAllowed},
		"good invalidate":    {"POST", "/admin/gc/invalidate", `{"key":"k","tombstone":"7:gc.x"}`, http.StatusOK},
		"age without a body": {"POST", "/admin/gc/age", "", http.StatusOK},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			req, err := http.NewRequestWithContext(testCtx(t), tt.method, env.clients[0].URL()+tt.path, strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if want, have := tt.want, resp.StatusCode; want != have {
				t.Errorf("want %d, have %d", want, have)
			}
		})
	}
	http.DefaultClient.CloseIdleConnections()
}

// refusing fails every request to path, as a proxy in the way would.
type refusing struct {
	rt   http.RoundTripper
	path string
}

func (r refusing) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Path == r.path {
		return nil, errors.New("connection refused")
	}
	return r.rt.RoundTrip(req)
}

func TestProposers_ServerDownStopsTheCollection(t *testing.T) {
	tests := map[string]struct {
		breakOne func(t *testing.T, env *gcEnv) *Client
		step     gc.Step
	}{
		"server stopped": {step: gc.StepInvalidate, breakOne: func(t *testing.T, env *gcEnv) *Client {
			if err := env.stops[1](); err != nil {
				t.Fatal(err)
			}
			return env.clients[1]
		}},
		"age unreachable": {step: gc.StepFence, breakOne: func(t *testing.T, env *gcEnv) *Client {
			_, c, _ := serveGC(t, env.local.File(), "p3", refusing{rt: &http.Transport{DisableKeepAlives: true}, path: "/admin/gc/age"}, nil)
			return c
		}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			env := startGCEnv(t)
			env.writeAndDelete(t, "k")
			broken := tt.breakOne(t, env)
			clients := append([]*Client{env.clients[0]}, broken)
			res, err := env.collector(t, NewProposers(clients...)).CollectKey(testCtx(t), "k")
			if err == nil || res.Done() {
				t.Fatalf("want a failed collection, have %+v", res)
			}
			if !strings.Contains(err.Error(), "step "+tt.step.String()) || !strings.Contains(err.Error(), broken.URL()) {
				t.Errorf("want the error to name step %s and %s, have %v", tt.step, broken.URL(), err)
			}
			if want, have := 3, len(env.holders(t, "k")); want != have {
				t.Errorf("want the key kept on %d nodes, have %d", want, have)
			}
		})
	}
}

// BenchmarkProposers_Collect measures collections through HTTP: two
// servers fenced by a collector in the test, over embedded nodes.
func BenchmarkProposers_Collect(b *testing.B) {
	env := startGCEnv(b)
	keys := make([]string, b.N)
	for i := range keys {
		keys[i] = "k" + strconv.Itoa(i)
		env.writeAndDelete(b, keys[i])
	}
	c := env.collector(b, NewProposers(env.clients...))
	ctx := testCtx(b)
	b.ResetTimer()
	for _, k := range keys {
		if res, err := c.CollectKey(ctx, k); err != nil || !res.Done() {
			b.Fatalf("%s: %+v, %v", k, res, err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "keys/s")
}

func TestProposers_RestartDuringACollectionFails(t *testing.T) {
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := map[string]string{"/admin/gc/invalidate": "p1.before", "/admin/gc/age": "p1.after"}[r.URL.Path]
		writeJSON(w, http.StatusOK, gc.Age{Proposer: id, Age: 1})
	}))
	defer fake.Close()
	c, err := NewClient(fake.URL, fake.Client())
	if err != nil {
		t.Fatal(err)
	}
	p := NewProposers(c)
	ctx := testCtx(t)
	if err := p.Invalidate(ctx, "k", paxos.Ballot{Counter: 1, Proposer: "gc.x"}); err != nil {
		t.Fatal(err)
	}
	_, err = p.RaiseAge(ctx)
	if err == nil || !strings.Contains(err.Error(), "restarted") || !strings.Contains(err.Error(), fake.URL) {
		t.Errorf("want an error naming %s that restarted, have %v", fake.URL, err)
	}
}

func TestProposers_HungProposerFailsTheStep(t *testing.T) {
	release := make(chan struct{})
	hung := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer hung.Close()
	defer close(release)
	c, err := NewClient(hung.URL, hung.Client())
	if err != nil {
		t.Fatal(err)
	}
	p := NewProposers(c)
	p.Timeout = 20 * time.Millisecond
	err = p.Invalidate(testCtx(t), "k", paxos.Ballot{Counter: 1, Proposer: "gc.x"})
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), hung.URL) {
		t.Errorf("want a deadline naming %s, have %v", hung.URL, err)
	}
}
