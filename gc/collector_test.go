package gc

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gryadka/gryadka/paxos"
)

func TestCollector_RemovesADeletedKeyFromEveryNode(t *testing.T) {
	for name, newBackend := range backends {
		t.Run(name, func(t *testing.T) {
			b := newBackend(t)
			p1 := newProposer(t, "p1", b.dial(t, "p1", nil), true)
			s := store(p1)
			mustSet(t, s, "k", 1)
			mustSet(t, s, "live", 2)
			mustDelete(t, s, "k")
			rec := newRecorder()
			c := newCollector(t, b, Local{p1}, rec)

			res, err := c.CollectKey(context.Background(), "k")
			if err != nil {
				t.Fatal(err)
			}
			if !res.Done() || !slices.Equal(res.Removed, []string{"a1", "a2", "a3"}) {
				t.Fatalf("want k removed from a1, a2, a3, have %+v", res)
			}
			for node, st := range states(t, b, "k") {
				if !st.Accepted.IsZero() || !st.Promise.IsZero() {
					t.Fatalf("want k gone from %s, have %+v", node, st)
				}
			}
			var steps []string
			for _, e := range rec.steps() {
				if !e.OK || e.Tombstone != res.Tombstone {
					t.Fatalf("want every step done under %s, have %s", res.Tombstone, e.Text())
				}
				steps = append(steps, e.Step.String())
			}
			if want, have := "replicate invalidate fence remove", strings.Join(steps, " "); want != have {
				t.Fatalf("want steps %q, have %q", want, have)
			}
			if want, have := uint64(1), p1.Age(); want != have {
				t.Fatalf("want p1 at age %d, have %d", want, have)
			}

			// The key starts afresh; the live key is untouched.
			if have := read(t, s, "k"); have != nil {
				t.Fatalf("want k not found, have %v", have)
			}
			mustSet(t, s, "k", 3)
			e, err := s.Get(context.Background(), "k")
			if err != nil || e.Version != 1 {
				t.Fatalf("want k at version 1 after its removal, have %v, %v", e, err)
			}
			if have := read(t, s, "live"); have != int64(2) {
				t.Fatalf("want live=2, have %v", have)
			}
		})
	}
}

func TestCollector_LeavesALiveKeyAlone(t *testing.T) {
	b := backends["memory"](t)
	p1 := newProposer(t, "p1", b.dial(t, "p1", nil), false)
	s := store(p1)
	mustSet(t, s, "k", 1)
	mustDelete(t, s, "k")
	mustSet(t, s, "k", 2) // written again before the collection
	c := newCollector(t, b, Local{p1}, nil)
	res, err := c.CollectKey(context.Background(), "k")
	if err != nil || res.Reached != 0 || res.Skipped == "" {
		t.Fatalf("want the key skipped, have %+v, %v", res, err)
	}
	if have := read(t, s, "k"); have != int64(2) {
		t.Fatalf("want k=2, have %v", have)
	}
	if want, have := uint64(0), p1.Age(); want != have {
		t.Fatalf("want no fence for a skipped key: age %d, have %d", want, have)
	}
}

// Every step may run twice, and a whole collection too.
func TestCollector_IsIdempotent(t *testing.T) {
	b := backends["embedded"](t)
	p1 := newProposer(t, "p1", b.dial(t, "p1", nil), false)
	s := store(p1)
	mustSet(t, s, "k", 1)
	mustDelete(t, s, "k")
	c := newCollector(t, b, Local{p1}, nil)
	ctx := context.Background()

	first, err := c.CollectKey(ctx, "k")
	if err != nil || !first.Done() {
		t.Fatalf("want k removed, have %+v, %v", first, err)
	}
	ages, err := c.fence(ctx)
	if err != nil {
		t.Fatalf("fence again: %v", err)
	}
	removed, err := c.remove(ctx, "k", first.Tombstone)
	if err != nil || len(removed) != 3 {
		t.Fatalf("want remove again to find k gone everywhere, have %v, %v", removed, err)
	}
	second, err := c.CollectKey(ctx, "k")
	if err != nil || !second.Done() || !first.Tombstone.Less(second.Tombstone) {
		t.Fatalf("want a second collection done under a higher ballot, have %+v, %v", second, err)
	}
	if want, have := uint64(3), p1.Age(); want != have || ages[0].Age != 2 {
		t.Fatalf("want ages raised once per fence: %d, have %d (%v)", want, have, ages)
	}
	for node, st := range states(t, b, "k") {
		if !st.Accepted.IsZero() {
			t.Fatalf("want k gone from %s, have %+v", node, st)
		}
	}
}

// A node that does not answer stops the collection before anything is
// removed anywhere; Run retries the key until the node is back.
func TestCollector_NodeDownRetriesAndNeverRemovesPartially(t *testing.T) {
	b := backends["embedded"](t)
	p1 := newProposer(t, "p1", b.dial(t, "p1", nil), false)
	s := store(p1)
	mustSet(t, s, "k", 1)
	mustDelete(t, s, "k")
	rec := newRecorder()
	c := newCollector(t, b, Local{p1}, rec)
	a3, err := b.local.Node("a3")
	if err != nil {
		t.Fatal(err)
	}
	if err := a3.Pause(); err != nil {
		t.Fatal(err)
	}
	paused := true
	t.Cleanup(func() {
		if paused {
			_ = a3.Resume()
		}
	})

	res, err := c.CollectKey(context.Background(), "k")
	if !errors.Is(err, ErrUnreachable) || res.Reached != 0 || len(res.Removed) != 0 {
		t.Fatalf("want the collection stopped at replicate, have %+v, %v", res, err)
	}
	if !strings.Contains(err.Error(), "a3") {
		t.Fatalf("want the error to name a3, have %v", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	c.Enqueue("k")
	go func() { done <- c.Run(ctx) }()
	// While a3 is paused, Run fails and retries: k stays on a1 and a2.
	waitFor(t, "a failed retry", func() bool {
		for _, e := range rec.steps() {
			if e.Step == StepReplicate && e.Err != "" {
				return true
			}
		}
		return false
	})
	for _, node := range []string{"a1", "a2"} {
		if st := states(t, b, "k", node)[node]; st.Accepted.IsZero() {
			t.Fatalf("want k kept on %s while a3 is down, have %+v", node, st)
		}
	}
	if err := a3.Resume(); err != nil {
		t.Fatal(err)
	}
	paused = false
	waitFor(t, "k removed", func() bool {
		for _, st := range states(t, b, "k") {
			if !st.Accepted.IsZero() {
				return false
			}
		}
		return c.Pending() == 0
	})
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("want Run to end with the context, have %v", err)
	}
}

func TestNew_RefusesAnIncompleteConfig(t *testing.T) {
	accs, err := AsAcceptors(paxos.NewMemAcceptor("a1"))
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string]Config{
		"no acceptors": {Proposers: Local{}},
		"no proposers": {Acceptors: accs},
		"bad id":       {Acceptors: accs, Proposers: Local{}, ID: "g c"},
	}
	for name, cfg := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := New(cfg); !errors.Is(err, ErrBadConfig) {
				t.Fatalf("want ErrBadConfig, have %v", err)
			}
		})
	}
}

// waitFor polls cond for up to ten seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

// Scan finds the tombstones with SCAN and queues only them; Run collects
// them once their grace delay has passed.
func TestCollector_ScanQueuesTombstonesForRun(t *testing.T) {
	b := backends["embedded"](t)
	p1 := newProposer(t, "p1", b.dial(t, "p1", nil), false)
	s := store(p1)
	for _, k := range []string{"gone1", "gone2", "live"} {
		mustSet(t, s, k, 1)
	}
	mustDelete(t, s, "gone1")
	mustDelete(t, s, "gone2")
	settled(t, b, "gone1")
	settled(t, b, "gone2")
	c := newCollector(t, b, Local{p1}, nil)
	n, err := c.Scan(context.Background())
	if err != nil || n != 2 || c.Pending() != 2 {
		t.Fatalf("want 2 tombstones queued, have %d (%d pending), %v", n, c.Pending(), err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	waitFor(t, "the queue to drain", func() bool { return c.Pending() == 0 })
	cancel()
	<-done
	for _, k := range []string{"gone1", "gone2"} {
		for node, st := range states(t, b, k) {
			if !st.Accepted.IsZero() {
				t.Fatalf("want %s gone from %s, have %+v", k, node, st)
			}
		}
	}
	if have := read(t, s, "live"); have != int64(1) {
		t.Fatalf("want live=1, have %v", have)
	}
}
