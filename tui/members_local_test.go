package tui

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gryadka/gryadka/cluster"
	"github.com/gryadka/gryadka/kv"
	"github.com/gryadka/gryadka/paxos"
	"github.com/gryadka/gryadka/trace"
)

// localEnv is a dashboard environment on a local embedded cluster.
func localEnv(t *testing.T, proposers int) (Env, *cluster.Local) {
	t.Helper()
	bus := trace.NewBus()
	l := startLocal(t, "embedded", bus)
	net := cluster.NewNetwork(cluster.NetworkOptions{Tracer: bus, Seed: 1})
	env, closeEnv, err := NewLocalEnv(context.Background(), l, net, bus, proposers)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = closeEnv() })
	return env, l
}

// runChange runs a membership change to the end.
func runChange(t *testing.T, m Members, c MemberChange) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := m.Begin(ctx, c); err != nil {
		t.Fatalf("%s: %v", c.Op, err)
	}
	if err := m.Run(ctx); err != nil {
		t.Fatalf("%s: %v", c.Op, err)
	}
}

// Counters incremented through two proposers while a node joins and
// another leaves: every acknowledged increment is in the final value, and
// no more than were tried.
func TestLocalEnv_MemberAddThenRemoveUnderLoadLosesNoWrite(t *testing.T) {
	env, _ := localEnv(t, 2)
	ctx, stop := context.WithCancel(context.Background())
	keys := []string{"c0", "c1", "c2"}
	var acked, unknown [3]atomic.Int64
	var wg sync.WaitGroup
	for i := range 6 {
		wg.Go(func() {
			store, k := env.Clients[i%2].Store, i%len(keys)
			for ctx.Err() == nil {
				opCtx, cancel := context.WithTimeout(ctx, 2*time.Second)
				_, err := store.Incr(opCtx, keys[k], 1)
				cancel()
				switch {
				case err == nil:
					acked[k].Add(1)
				case errors.Is(err, kv.ErrUnknownOutcome) || paxos.IsIndefinite(err) || ctx.Err() != nil:
					unknown[k].Add(1)
				}
			}
		})
	}
	start := time.Now()
	runChange(t, env.Members, MemberChange{Op: "add"})
	grown := time.Since(start)
	runChange(t, env.Members, MemberChange{Op: "remove", Node: "a1"})
	stop()
	wg.Wait()
	t.Logf("add a4 took %s, then remove a1 %s, under load: %d, %d and %d increments acknowledged, %d unknown",
		grown, time.Since(start)-grown, acked[0].Load(), acked[1].Load(), acked[2].Load(),
		unknown[0].Load()+unknown[1].Load()+unknown[2].Load())

	want := cluster.MajorityConfig("a2", "a3", "a4")
	if have := env.Members.Status().Config; !slices.Equal(have.Prepare, want.Prepare) || have.PrepareQuorum != 2 ||
		!slices.Equal(have.Accept, want.Accept) || have.AcceptQuorum != 2 {
		t.Errorf("want configuration %v, have %v", paxos.Layout(want), paxos.Layout(have))
	}
	for _, cl := range env.Clients {
		if st := cl.Proposer.Status(context.Background()); !slices.Equal(st.Prepare, want.Prepare) || !slices.Equal(st.Accept, want.Accept) {
			t.Errorf("%s: want the new configuration, have prepare %v accept %v", st.ID, st.Prepare, st.Accept)
		}
	}
	late, err := env.AddProposer(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if st := late.Proposer.Status(context.Background()); !slices.Equal(st.Prepare, want.Prepare) {
		t.Errorf("a proposer added later: want prepare %v, have %v", want.Prepare, st.Prepare)
	}
	for i, k := range keys {
		e, err := late.Store.Get(context.Background(), k)
		if err != nil {
			t.Fatalf("final read of %s: %v", k, err)
		}
		lo, hi := acked[i].Load(), acked[i].Load()+unknown[i].Load()
		if v, _ := e.Value.(int64); v < lo || v > hi {
			t.Errorf("%s: want between %d acknowledged and %d tried increments, have %v", k, lo, hi, e.Value)
		}
		if acked[i].Load() == 0 {
			t.Errorf("%s: no increment was acknowledged: the load did not run", k)
		}
	}
}

func TestModel_MemberAddOnALocalCluster(t *testing.T) {
	env, _ := localEnv(t, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sub := env.Bus.Subscribe(ctx, trace.WithBuffer(1<<14))
	d := newDriver(t, env, 120, 40)
	d.command("set k 1")
	d.command("member add")
	var recs []trace.Record
	for len(sub.C()) > 0 {
		recs = append(recs, <-sub.C())
	}
	d.msg(traceBatchMsg{Records: recs})
	wantStatus(t, d, "member add: done; no membership change in progress; configuration prepare 3/4 [a1 a2 a3 a4]")
	v := view(d)
	if !strings.Contains(v, "membership: add a4 · done") || !strings.Contains(v, "a4    ● up      PA") ||
		!strings.Contains(v, "100% 1/1 keys") {
		t.Errorf("want the change done and p1 on 4 nodes, have\n%s", v)
	}
	d.command("member remove a9")
	wantStatus(t, d, "a9")
	d.command("get k")
	wantStatus(t, d, fmt.Sprintf("get k → %s", kv.Entry{Version: 1, Value: int64(1)}))
}

func TestModel_GCRemovesADeletedKey(t *testing.T) {
	env, l := localEnv(t, 2)
	d := newDriver(t, env, 120, 40)
	d.command("set k 1")
	d.command("gc k")
	wantStatus(t, d, "gc k: left alone")
	d.command("del k")
	d.command("gc k")
	wantStatus(t, d, "gc k: remove done; removed from [a1 a2 a3]")
	a, err := cluster.DialAcceptor(context.Background(), cluster.AcceptorOptions{
		Endpoint: cluster.Endpoint{Name: "a1", Addr: l.Nodes()[0].Addr()}, InMemoryOK: true})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if keys, err := a.Keys(context.Background(), "*", 10); err != nil || len(keys) != 0 {
		t.Errorf("want no key left on a1, have %v, %v", keys, err)
	}
	d.command("gc run on")
	wantStatus(t, d, "gc run on: done")
	d.command("gc run on")
	wantStatus(t, d, "already running")
	d.command("gc run off")
	wantStatus(t, d, "gc run off: done")
}
