package serve

import (
	"errors"
	"strings"
	"testing"
	"time"
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
