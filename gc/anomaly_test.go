package gc

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gryadka/gryadka/cluster"
)

// deliverAllBut delivers every message net holds in step mode, except
// those keep selects, until done is closed and n messages are kept; it
// returns the kept messages.
func deliverAllBut(t *testing.T, net *cluster.Network, done <-chan struct{}, n int, keep func(cluster.HeldMessage) bool) []cluster.HeldMessage {
	t.Helper()
	kept := map[uint64]cluster.HeldMessage{}
	finished := false
	for {
		for _, h := range net.Held() {
			if _, ok := kept[h.ID]; ok {
				continue
			}
			if keep(h) {
				kept[h.ID] = h
				continue
			}
			if err := net.Deliver(h.ID); err != nil && !errors.Is(err, cluster.ErrNotHeld) {
				t.Fatal(err)
			}
		}
		if finished && len(kept) >= n {
			var out []cluster.HeldMessage
			for _, h := range kept {
				out = append(out, h)
			}
			return out
		}
		select {
		case <-done:
			finished, done = true, nil
		case <-net.HeldChanged():
		case <-time.After(10 * time.Second):
			t.Fatalf("timed out: %d messages kept, the change finished: %v", len(kept), finished)
		}
	}
}

// The paper's first anomaly, a delete undone by a delayed message: p1's
// accept of v2 to a3 is held back in the network; the key is deleted and
// collected; then the accept arrives at a3, where the key no longer
// exists. Without the fence and the floor a3 takes it, and a read through
// a3 finds v2, which was deleted. The fence alone makes a3 refuse it (p1
// is too old), and so does the floor alone (v2's ballot is below the
// tombstone's).
func TestCollector_DelayedAcceptCannotUndoADelete(t *testing.T) {
	tests := map[string]struct {
		skipFence bool
		noFloor   bool
		want      any
	}{
		"full process":                   {want: nil},
		"without the fence":              {skipFence: true, want: nil},
		"without the floor":              {noFloor: true, want: nil},
		"without the fence or the floor": {skipFence: true, noFloor: true, want: "v2"},
	}
	for name, newBackend := range backends {
		for tname, tt := range tests {
			t.Run(name+"/"+tname, func(t *testing.T) {
				b := newBackend(t)
				net := cluster.NewNetwork(cluster.NetworkOptions{})
				t.Cleanup(func() { net.SetStep(false) })
				p1 := newProposer(t, "p1", b.dial(t, "p1", net), false)
				p2 := newProposer(t, "p2", b.dial(t, "p2", nil), false)
				reader := newProposer(t, "reader", pick(b.dial(t, "reader", nil), "a3", "a1"), false)
				mustSet(t, store(p1), "k", "v1")

				// p1 writes v2; its accept to a3 stays in the network.
				net.SetStep(true)
				done := make(chan struct{})
				go func() {
					defer close(done)
					if _, err := store(p1).Set(context.Background(), "k", "v2"); err != nil {
						t.Errorf("set v2: %v", err)
					}
				}()
				held := deliverAllBut(t, net, done, 1, func(h cluster.HeldMessage) bool {
					// v1's accept to a3 may still be on its way: it passes.
					return h.Acceptor == "a3" && h.Phase.String() == "accept" && h.Direction == cluster.DirectionRequest &&
						strings.Contains(h.Summary, "v2")
				})
				if len(held) != 1 {
					t.Fatalf("want one accept held back, have %v", held)
				}

				mustDelete(t, store(p2), "k")
				settled(t, b, "k")
				c := newCollector(t, b, Local{p1, p2, reader}, nil)
				if tt.skipFence {
					c.skip = map[Step]bool{StepFence: true}
				}
				if tt.noFloor {
					withoutFloor(t, c)
				}
				res, err := c.CollectKey(context.Background(), "k")
				if err != nil || !res.Done() {
					t.Fatalf("want k collected, have %+v, %v", res, err)
				}

				// The old accept arrives at a3 after the removal.
				if err := net.Deliver(held[0].ID); err != nil {
					t.Fatal(err)
				}
				net.SetStep(false)

				if have := read(t, store(reader), "k"); have != tt.want {
					t.Fatalf("want a read through a3 and a1 to find %v, have %v", tt.want, have)
				}
			})
		}
	}
}

// The paper's second anomaly, an update lost behind a tombstone: the
// collector has removed the key from a1 and a2 and not yet from a3, which
// still holds the tombstone. p1 writes v3, and it is acknowledged by a1 and
// a2. Without invalidation and the floor p1 writes under a ballot below
// the tombstone's, from a low counter or from its stale one-round-trip
// cache, and a read through a2 and a3 meets the tombstone first: the
// update is lost. Invalidation alone puts p1's ballot above the
// tombstone's; the floor alone makes a1 and a2 refuse the lower ballot, so
// p1 moves past the tombstone and retries. Either way the read finds v3.
func TestCollector_UpdateCannotBeLostBehindATombstone(t *testing.T) {
	tests := map[string]struct {
		oneRTT         bool
		skipInvalidate bool
		noFloor        bool
		want           any
	}{
		"low counter/full process":                  {want: "v3"},
		"low counter/without invalidation":          {skipInvalidate: true, want: "v3"},
		"low counter/without the floor":             {noFloor: true, want: "v3"},
		"low counter/without invalidation or floor": {skipInvalidate: true, noFloor: true, want: nil},
		"stale cache/full process":                  {oneRTT: true, want: "v3"},
		"stale cache/without invalidation":          {oneRTT: true, skipInvalidate: true, want: "v3"},
		"stale cache/without the floor":             {oneRTT: true, noFloor: true, want: "v3"},
		"stale cache/without invalidation or floor": {oneRTT: true, skipInvalidate: true, noFloor: true, want: nil},
	}
	for name, newBackend := range backends {
		for tname, tt := range tests {
			t.Run(name+"/"+tname, func(t *testing.T) {
				b := newBackend(t)
				p1 := newProposer(t, "p1", b.dial(t, "p1", nil), tt.oneRTT)
				p2 := newProposer(t, "p2", b.dial(t, "p2", nil), false)
				reader := newProposer(t, "reader", pick(b.dial(t, "reader", nil), "a2", "a3"), false)
				if tt.oneRTT {
					mustSet(t, store(p1), "k", "v0") // p1 caches its promise
				}
				for i := range 5 { // p2's counter, hence the tombstone's ballot, runs ahead
					mustSet(t, store(p2), "k", i)
				}
				mustDelete(t, store(p2), "k")
				settled(t, b, "k")

				c := newCollector(t, b, Local{p1, p2, reader}, nil)
				if tt.skipInvalidate {
					c.skip = map[Step]bool{StepInvalidate: true}
				}
				if tt.noFloor {
					withoutFloor(t, c)
				}
				var have any
				c.beforeRemove = func(node string) {
					if node != "a3" {
						return
					}
					mustSetAgain(t, store(p1), "k", "v3")
					have = read(t, store(reader), "k")
				}
				// The read wrote the state it found back to a2 and a3, so
				// a3 keeps k in both cases.
				res, err := c.CollectKey(context.Background(), "k")
				if !errors.Is(err, ErrInUse) {
					t.Fatalf("want a3 to keep k, written under a higher ballot, have %+v, %v", res, err)
				}
				if have != tt.want {
					t.Fatalf("want a read after the acknowledged write of v3 to find %v, have %v", tt.want, have)
				}
			})
		}
	}
}
