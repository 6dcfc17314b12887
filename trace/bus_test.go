package trace

import (
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/gryadka/gryadka/paxos"
)

func finish(change paxos.ChangeID) paxos.Event {
	return paxos.ChangeFinished{Meta: sampleMeta("p1.0", change, ""), Committed: true}
}

func start(change paxos.ChangeID) paxos.Event {
	return paxos.ChangeStarted{Meta: sampleMeta("p1.0", change, "")}
}

// seqs reads s until its channel is closed and returns the sequence numbers.
func seqs(s *Sub) []uint64 {
	var out []uint64
	for r := range s.C() {
		out = append(out, r.Seq)
	}
	return out
}

func TestBus_EnabledWhileSubscribed(t *testing.T) {
	b := NewBus()
	if b.Enabled() {
		t.Fatal("want a new bus disabled, have enabled")
	}
	ctx, cancel := context.WithCancel(t.Context())
	s := b.Subscribe(ctx)
	if !b.Enabled() {
		t.Fatal("want enabled with a subscriber, have disabled")
	}
	cancel()
	seqs(s) // returns once the subscription has ended
	if b.Enabled() {
		t.Error("want disabled after the last subscriber left, have enabled")
	}
}

func TestBus_DeliversInOrder(t *testing.T) {
	b := NewBus()
	ctx, cancel := context.WithCancel(t.Context())
	s := b.Subscribe(ctx)
	for i := range 5 {
		b.Trace(start(paxos.ChangeID(i)))
	}
	cancel()
	if want, have := []uint64{1, 2, 3, 4, 5}, seqs(s); !slices.Equal(want, have) {
		t.Errorf("want seqs %v, have %v", want, have)
	}
	if s.Dropped() != 0 {
		t.Errorf("want 0 dropped, have %d", s.Dropped())
	}
}

func TestBus_OnlyLeavesGapsInSeq(t *testing.T) {
	b := NewBus()
	ctx, cancel := context.WithCancel(t.Context())
	all := b.Subscribe(ctx)
	finished := b.Subscribe(ctx, Only("paxos.finish"))
	b.Trace(start(1))
	b.Trace(finish(1))
	b.Trace(start(2))
	b.Trace(finish(2))
	cancel()
	if want, have := []uint64{1, 2, 3, 4}, seqs(all); !slices.Equal(want, have) {
		t.Errorf("all: want seqs %v, have %v", want, have)
	}
	if want, have := []uint64{2, 4}, seqs(finished); !slices.Equal(want, have) {
		t.Errorf("only finish: want seqs %v, have %v", want, have)
	}
}

func TestBus_OnlyWithoutKindsKeepsAll(t *testing.T) {
	b := NewBus()
	ctx, cancel := context.WithCancel(t.Context())
	s := b.Subscribe(ctx, Only("paxos.start"), Only())
	b.Trace(start(1))
	b.Trace(finish(1))
	cancel()
	if want, have := []uint64{1, 2}, seqs(s); !slices.Equal(want, have) {
		t.Errorf("want seqs %v, have %v", want, have)
	}
}

func TestBus_DropsWhenBufferIsFull(t *testing.T) {
	b := NewBus()
	ctx, cancel := context.WithCancel(t.Context())
	s := b.Subscribe(ctx, WithBuffer(2))
	for i := range 5 {
		b.Trace(start(paxos.ChangeID(i)))
	}
	cancel()
	if want, have := []uint64{1, 2}, seqs(s); !slices.Equal(want, have) {
		t.Errorf("want seqs %v, have %v", want, have)
	}
	if want, have := uint64(3), s.Dropped(); want != have {
		t.Errorf("want %d dropped, have %d", want, have)
	}
}

func TestBus_LosslessWaitsForTheReader(t *testing.T) {
	b := NewBus()
	ctx, cancel := context.WithCancel(t.Context())
	s := b.Subscribe(ctx, WithBuffer(0), Lossless())
	const n = 200
	go func() {
		defer cancel()
		for i := range n {
			b.Trace(start(paxos.ChangeID(i)))
		}
	}()
	have := seqs(s)
	if len(have) != n {
		t.Errorf("want %d records, have %d", n, len(have))
	}
	if s.Dropped() != 0 {
		t.Errorf("want 0 dropped, have %d", s.Dropped())
	}
}

func TestBus_LosslessReleasesTracerOnCancel(t *testing.T) {
	b := NewBus()
	ctx, cancel := context.WithCancel(t.Context())
	s := b.Subscribe(ctx, WithBuffer(0), Lossless())
	traced := make(chan struct{})
	go func() {
		defer close(traced)
		b.Trace(start(1)) // nobody reads: blocks until the subscription ends
	}()
	cancel()
	<-traced
	if have := seqs(s); len(have) > 1 {
		t.Errorf("want at most the one record, have %v", have)
	}
}

func TestBus_QueuedRecordsSurviveCancel(t *testing.T) {
	b := NewBus()
	ctx, cancel := context.WithCancel(t.Context())
	s := b.Subscribe(ctx)
	b.Trace(start(1))
	b.Trace(start(2))
	cancel()
	if want, have := []uint64{1, 2}, seqs(s); !slices.Equal(want, have) {
		t.Errorf("want seqs %v, have %v", want, have)
	}
}

// TestBus_ConcurrentSubscribers churns subscriptions while several
// goroutines trace: every subscription must end with its channel closed,
// and a subscription that lived through it all must account for every
// event, received or dropped.
func TestBus_ConcurrentSubscribers(t *testing.T) {
	b := NewBus()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	whole := b.Subscribe(ctx, WithBuffer(16))
	var received sync.WaitGroup
	received.Add(1)
	var got int
	go func() {
		defer received.Done()
		got = len(seqs(whole))
	}()

	const tracers, perTracer = 4, 500
	var wg sync.WaitGroup
	for range tracers {
		wg.Go(func() {
			for i := range perTracer {
				b.Trace(start(paxos.ChangeID(i)))
			}
		})
	}
	for i := range 50 {
		wg.Go(func() {
			sctx, scancel := context.WithCancel(ctx)
			opts := []SubOption{WithBuffer(i % 4)}
			if i%3 == 0 {
				opts = append(opts, Lossless())
			}
			s := b.Subscribe(sctx, opts...)
			for range i % 5 {
				select {
				case <-s.C():
				default:
				}
			}
			scancel()
			seqs(s)
		})
	}
	wg.Wait()
	cancel()
	received.Wait()
	if want, have := uint64(tracers*perTracer), uint64(got)+whole.Dropped(); want != have {
		t.Errorf("want %d received or dropped, have %d (%d received)", want, have, got)
	}
}
