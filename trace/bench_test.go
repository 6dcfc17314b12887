package trace

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/gryadka/gryadka/paxos"
)

// BenchmarkChange measures one change (two round trips) on three
// MemAcceptors: without a tracer, with a bus nobody listens to, with one
// subscriber that keeps up, and with one that falls behind and drops.
func BenchmarkChange(b *testing.B) {
	tests := map[string]func(b *testing.B, bus *Bus) paxos.Tracer{
		"nil":      func(*testing.B, *Bus) paxos.Tracer { return nil },
		"idle-bus": func(_ *testing.B, bus *Bus) paxos.Tracer { return bus },
		"one-sub": func(b *testing.B, bus *Bus) paxos.Tracer {
			read(b, bus.Subscribe(b.Context(), WithBuffer(4096)), 0)
			return bus
		},
		"one-slow-sub": func(b *testing.B, bus *Bus) paxos.Tracer {
			read(b, bus.Subscribe(b.Context(), WithBuffer(64)), 50*time.Microsecond)
			return bus
		},
	}
	for _, name := range []string{"nil", "idle-bus", "one-sub", "one-slow-sub"} {
		b.Run(name, func(b *testing.B) {
			bus := NewBus()
			p := newProposer(b, tests[name](b, bus))
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := p.Change(ctx, "k", incr); err != nil {
					b.Fatal(err)
				}
			}
			if subs := *bus.subs.Load(); len(subs) > 0 {
				b.ReportMetric(float64(subs[0].Dropped())/float64(b.N), "drops/op")
			}
		})
	}
}

// read drains s in the background, pausing after each record, until the
// benchmark ends.
func read(b *testing.B, s *Sub, pause time.Duration) {
	var wg sync.WaitGroup
	wg.Go(func() {
		for range s.C() {
			if pause > 0 {
				time.Sleep(pause)
			}
		}
	})
	b.Cleanup(wg.Wait)
}

// TestBus_IdleAddsNoAllocations pins the promise of Enabled: a proposer
// whose bus has no subscriber allocates no more per change than one
// without a tracer.
func TestBus_IdleAddsNoAllocations(t *testing.T) {
	bus := NewBus()
	ctx, cancel := context.WithCancel(t.Context())
	s := bus.Subscribe(ctx) // subscribe and leave: the bus is idle again
	cancel()
	seqs(s)

	allocs := func(tracer paxos.Tracer) float64 {
		p := newProposer(t, tracer)
		return testing.AllocsPerRun(200, func() {
			if _, err := p.Change(context.Background(), "k", incr); err != nil {
				t.Fatal(err)
			}
		})
	}
	// Goroutine and stack reuse make single measurements wobble by a
	// fraction of an allocation; take the smallest of a few.
	least := func(tracer paxos.Tracer) float64 {
		m := allocs(tracer)
		for range 4 {
			m = min(m, allocs(tracer))
		}
		return m
	}
	none, idle := least(nil), least(bus)
	if idle > none {
		t.Errorf("want at most %v allocations per change with an idle bus (as with no tracer), have %v", none, idle)
	}
	traced := least(&Collector{})
	t.Logf("allocations per change: %v without a tracer, %v with an idle bus, %v traced", none, idle, traced)
	if traced <= none {
		t.Errorf("want more than %v allocations per traced change, have %v: the measurement cannot see tracing", none, traced)
	}
}

// BenchmarkBus_Trace measures the delivery of one event, already built.
func BenchmarkBus_Trace(b *testing.B) {
	tests := map[string]func(b *testing.B, bus *Bus){
		"one-sub": func(b *testing.B, bus *Bus) { read(b, bus.Subscribe(b.Context()), 0) },
		"four-subs": func(b *testing.B, bus *Bus) {
			for range 4 {
				read(b, bus.Subscribe(b.Context()), 0)
			}
		},
		"filtered-out": func(b *testing.B, bus *Bus) { read(b, bus.Subscribe(b.Context(), Only("cluster.node")), 0) },
		"full":         func(b *testing.B, bus *Bus) { bus.Subscribe(b.Context(), WithBuffer(0)) },
	}
	for _, name := range []string{"one-sub", "four-subs", "filtered-out", "full"} {
		b.Run(name, func(b *testing.B) {
			bus := NewBus()
			tests[name](b, bus)
			e := start(1)
			b.ReportAllocs()
			for b.Loop() {
				bus.Trace(e)
			}
		})
	}
}
