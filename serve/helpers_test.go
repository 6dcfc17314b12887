package serve

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gryadka/gryadka/cluster"
	"github.com/gryadka/gryadka/paxos"
)

// testEnv is a server on 127.0.0.1 over a local cluster of embedded nodes,
// with a client of it.
type testEnv struct {
	local   *cluster.Local
	network *cluster.Network
	server  *Server
	client  *Client
	url     string
	hc      *http.Client
	warned  string       // what New warned about
	stop    func() error // shuts the server down; returns Serve's error
}

type envOptions struct {
	nodes      int      // started (default 3)
	configured []string // named by the initial configuration (default all)
	oneRTT     bool
	round      time.Duration
	down       []string // nodes killed before the server starts
	backend    string   // of the nodes (default embedded)
}

// startEnv starts the nodes and a server over them. Everything stops in
// t.Cleanup.
func startEnv(t testing.TB, o envOptions) *testEnv {
	t.Helper()
	if o.nodes == 0 {
		o.nodes = 3
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if o.backend == "" {
		o.backend = string(cluster.KindEmbedded)
	}
	local, err := cluster.StartLocal(ctx, cluster.LocalOptions{Nodes: o.nodes, Backend: o.backend})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = local.Close() })
	f := local.File()
	if o.configured != nil {
		f.Config = cluster.MajorityConfig(o.configured...)
	}
	env := &testEnv{local: local, network: cluster.NewNetwork(cluster.NetworkOptions{Seed: 1})}
	env.mustKill(t, o.down...)
	var warned strings.Builder
	round := o.round
	if round == 0 {
		round = time.Second
	}
	s, err := New(ctx, Options{ID: "p1", File: f, OneRTT: o.oneRTT, RoundTimeout: round,
		AcceptorTimeout: time.Second, RequestTimeout: 5 * time.Second, Warn: &warned,
		Link: func(a paxos.Acceptor) paxos.Acceptor { return env.network.Link("p1", a) }})
	if err != nil {
		t.Fatal(err)
	}
	env.server, env.warned = s, warned.String()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	serveCtx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(serveCtx, ln) }()
	env.hc = &http.Client{Transport: &http.Transport{}}
	env.url = "http://" + ln.Addr().String()
	if env.client, err = NewClient(env.url, env.hc); err != nil {
		t.Fatal(err)
	}
	env.stop = sync.OnceValue(func() error {
		stop()
		return <-done
	})
	t.Cleanup(func() {
		if err := env.stop(); err != nil {
			t.Errorf("Serve: %v", err)
		}
		env.hc.CloseIdleConnections()
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return env
}

// ctx returns a context that ends with the test, bounded to a few seconds.
func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// problemCode returns the Problem code of err, or "".
func problemCode(err error) string {
	var pe *ProblemError
	if errors.As(err, &pe) {
		return pe.Problem.Code
	}
	return ""
}
