package serve

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gryadka/gryadka/cluster"
	"github.com/gryadka/gryadka/gc"
)

func TestServer_GCCollectsInTheBackground(t *testing.T) {
	env := startGCEnv(t)
	_, c, _ := serveGC(t, env.local.File(), "p3", nil, &GCOptions{Peers: []string{env.clients[0].URL(), env.clients[1].URL()},
		Grace: time.Millisecond, ScanEvery: 20 * time.Millisecond})
	env.clients = append(env.clients, c)
	env.writeAndDelete(t, "k")
	ctx := testCtx(t)
	for len(env.holders(t, "k")) > 0 {
		select {
		case <-ctx.Done():
			t.Fatalf("the key is still on %v", env.holders(t, "k"))
		case <-time.After(10 * time.Millisecond):
		}
	}
	for _, s := range env.servers {
		if s.Proposer().Age() == 0 {
			t.Errorf("%s: want its age raised by the collection", s.Proposer().ID())
		}
	}
	v, err := c.Incr(ctx, "k", 1)
	if err != nil || v.Version != 1 {
		t.Errorf("want the key to start again at version 1, have %+v, %v", v, err)
	}
}

func TestServer_GCRefusesUnknownPeers(t *testing.T) {
	env := startGCEnv(t)
	tests := map[string]GCOptions{
		"neither": {},
		"both":    {Alone: true, Peers: []string{env.clients[0].URL()}},
	}
	for name, o := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := New(testCtx(t), Options{ID: "p9", File: env.local.File(), GC: &o})
			if !errors.Is(err, ErrGCPeers) {
				t.Errorf("want ErrGCPeers, have %v", err)
			}
		})
	}
	s, _, _ := serveGC(t, env.local.File(), "p9", nil, &GCOptions{Alone: true})
	if s.GC() == nil || !strings.HasPrefix(s.GC().ID(), "p9-gc.") {
		t.Errorf("want a collector named after the server, have %v", s.GC())
	}
}

func TestServer_GCFollowsAConfigurationChange(t *testing.T) {
	ctx := testCtx(t)
	local, err := cluster.StartLocal(ctx, cluster.LocalOptions{Nodes: 4, Backend: string(cluster.KindEmbedded)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = local.Close() })
	f := local.File()
	f.Nodes, f.Config = f.Nodes[:3], cluster.MajorityConfig("a1", "a2", "a3")
	s, c, _ := serveGC(t, f, "p1", nil, &GCOptions{Alone: true, Grace: time.Millisecond, ScanEvery: 20 * time.Millisecond})
	before := s.GC()
	doc, err := c.Config(ctx)
	if err != nil {
		t.Fatal(err)
	}
	doc.Nodes = append(doc.Nodes, local.File().Nodes[3])
	doc.Config = cluster.MajorityConfig("a1", "a2", "a3", "a4")
	if _, err := c.PutConfig(ctx, doc); err != nil {
		t.Fatal(err)
	}
	if s.GC() == before {
		t.Error("want a new collector over the new nodes, have the old one")
	}
	if _, err := c.Set(ctx, "k", 1); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Delete(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	accs, err := local.Acceptors(ctx, "check", nil)
	if err != nil {
		t.Fatal(err)
	}
	nodes, err := gc.AsAcceptors(accs...)
	if err != nil {
		t.Fatal(err)
	}
	env := &gcEnv{nodes: nodes}
	for holders := env.holders(t, "k"); len(holders) > 0; holders = env.holders(t, "k") {
		select {
		case <-ctx.Done():
			t.Fatalf("want k collected from a1…a4, have it still on %v", holders)
		case <-time.After(10 * time.Millisecond):
		}
	}
}
