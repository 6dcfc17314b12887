package tui

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/gryadka/gryadka/check"
	"github.com/gryadka/gryadka/cluster"
	"github.com/gryadka/gryadka/kv"
	"github.com/gryadka/gryadka/trace"
)

func TestZZRepro(t *testing.T) {
	if os.Getenv("H6REPRO") == "" {
		t.Skip()
	}
	ctx := context.Background()
	var stores []*kv.Store
	if os.Getenv("H6REPRO") == "redis" {
		bus := trace.NewBus()
		l, err := cluster.StartLocal(ctx, cluster.LocalOptions{Nodes: 3, Backend: "embedded", Tracer: bus})
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		env, closeEnv, err := NewLocalEnv(ctx, l, cluster.NewNetwork(cluster.NetworkOptions{Tracer: bus}), bus, 1)
		if err != nil {
			t.Fatal(err)
		}
		defer closeEnv()
		stores = []*kv.Store{env.Clients[0].Store}
	} else {
		te := newTestEnv(t)
		stores = []*kv.Store{te.env.Clients[0].Store}
	}
	w := startWorkload(ctx, stores, 8)
	defer w.stop()
	for i := range 6 {
		time.Sleep(2 * time.Second)
		old := w.rotate(time.Now())
		h := old.rec.History()
		r := check.Check(h, 10*time.Second)
		t.Logf("segment %d: %v ops %d unknown %d bad %v", old.id, r.Verdict, r.Ops, r.Unknown, r.Bad)
		if r.Verdict == check.Violation {
			for _, op := range h {
				if op.Input.Key == r.Bad[0] {
					t.Logf("%d %d-%d %v %v", op.Client, op.Call, op.Return, op.Input, op.Output)
				}
			}
			t.Fatal("violation", i)
		}
	}
}
