package tui

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/gryadka/gryadka/cluster"
	"github.com/gryadka/gryadka/trace"
)

// liveRun runs a few changes on an embedded local cluster, with a node
// killed and a link cut on the way, and returns what a dashboard
// subscription saw and the file a recorder wrote from the same bus.
func liveRun(t *testing.T) (live []trace.Record, path string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	bus := trace.NewBus()
	l, err := cluster.StartLocal(ctx, cluster.LocalOptions{Nodes: 3, Backend: string(cluster.KindEmbedded), Tracer: bus})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	net := cluster.NewNetwork(cluster.NetworkOptions{Tracer: bus, Seed: 1})
	subCtx, stop := context.WithCancel(ctx)
	liveSub := bus.Subscribe(subCtx, trace.Lossless())
	recSub := bus.Subscribe(subCtx, trace.Lossless())
	path = filepath.Join(t.TempDir(), "run.jsonl")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- trace.NewRecorder(f).Run(subCtx, recSub) }()
	env, closeEnv, err := NewLocalEnv(ctx, l, net, bus, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer closeEnv()

	// The changes may fail (a stale 1RTT promise, a cut link): the
	// replay must show failures as the live dashboard did.
	p1, p2 := env.Clients[0].Store, env.Clients[1].Store
	p1.Set(ctx, "k", 1)
	p1.Incr(ctx, "k", 1)
	p2.Incr(ctx, "k", 1)
	if err := l.Nodes()[2].Kill(); err != nil {
		t.Fatal(err)
	}
	p1.Incr(ctx, "k", 1)
	if err := net.Partition("p2", "a1", cluster.FailFast); err != nil {
		t.Fatal(err)
	}
	p2.Get(ctx, "k")
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	for {
		select {
		case r, ok := <-liveSub.C():
			if !ok {
				return live, path
			}
			live = append(live, r)
		default:
			return live, path
		}
	}
}

func TestReplay_ReproducesTheLiveDiagram(t *testing.T) {
	live, path := liveRun(t)
	rec, err := LoadRecording(path)
	if err != nil {
		t.Fatal(err)
	}
	// Both subscriptions saw every event from the first on; the one that
	// stopped last may hold a few more.
	n := min(len(live), len(rec.Records))
	if n < 20 {
		t.Fatalf("want a real run, have %d events", n)
	}
	live, rec.Records = live[:n], rec.Records[:n]

	d := newReplayDriver(t, rec, 160, 48)
	d.keys("$")
	dash := newDriver(t, Env{}, 160, 48)
	dash.msg(traceBatchMsg{Records: live})
	for _, p := range []*protocolPanel{d.r.inner.proto, dash.m.proto} {
		p.SetSize(150, 400)
	}
	if want, have := dash.m.proto.View(), d.r.inner.proto.View(); have != want {
		t.Errorf("the replayed protocol panel differs from the live one:\nwant\n%s\nhave\n%s", want, have)
	}
	for _, format := range []string{ExportMermaid, ExportText} {
		want, _ := Export(format, live)
		have, _ := Export(format, d.r.rec.Records[:d.r.pos])
		if have != want {
			t.Errorf("the replayed %s export differs from the live one:\nwant\n%s\nhave\n%s", format, want, have)
		}
	}
	if want, have := trace.Sequence(live), trace.Sequence(rec.Records); have != want {
		t.Errorf("want the recorded sequence equal to the live one")
	}
}
