package cluster

import (
	"context"
	"errors"
	"testing"

	"github.com/gryadka/gryadka/paxos"
)

// accTestRaiseFloor removes a tombstone written under tomb, so the node's
// floor becomes tomb.
func accTestRaiseFloor(t *testing.T, a *RedisAcceptor, tomb paxos.Ballot) {
	t.Helper()
	ctx := context.Background()
	if err := a.Accept(ctx, "dead", tomb, []byte("tombstone"), paxos.Ballot{}); err != nil {
		t.Fatal(err)
	}
	if removed, err := a.Remove(ctx, "dead", tomb); err != nil || !removed {
		t.Fatalf("want the tombstone removed, have %v, %v", removed, err)
	}
	if have, err := a.Floor(ctx); err != nil || have != tomb {
		t.Fatalf("want the floor %s, have %s, %v", tomb, have, err)
	}
}

func TestRedisAcceptor_FloorRefusesEveryKeyBelowIt(t *testing.T) {
	tomb := accTestBallot(5, "gc.z")
	below, above := accTestBallot(4, "p2.x"), accTestBallot(6, "p2.x")
	hot := accTestBallot(7, "p1.y") // promised on "hot" before the removal
	prepare := func(key string, b paxos.Ballot) func(context.Context, *RedisAcceptor) error {
		return func(ctx context.Context, a *RedisAcceptor) error { _, err := a.Prepare(ctx, key, b); return err }
	}
	accept := func(key string, b paxos.Ballot) func(context.Context, *RedisAcceptor) error {
		return func(ctx context.Context, a *RedisAcceptor) error {
			return a.Accept(ctx, key, b, []byte("v"), paxos.Ballot{})
		}
	}
	tests := map[string]struct {
		call   func(context.Context, *RedisAcceptor) error
		phase  paxos.Phase
		b      paxos.Ballot
		seen   paxos.Ballot // zero: the call passes
		before paxos.Ballot // the promise of the key called, which a refusal keeps
	}{
		"prepare below":                    {call: prepare("k", below), phase: paxos.PhasePrepare, b: below, seen: tomb},
		"accept below":                     {call: accept("k", below), phase: paxos.PhaseAccept, b: below, seen: tomb},
		"prepare at":                       {call: prepare("k", tomb)},
		"accept at":                        {call: accept("k", tomb)},
		"prepare above":                    {call: prepare("k", above)},
		"accept above":                     {call: accept("k", above)},
		"prepare below a promise":          {call: prepare("hot", below), phase: paxos.PhasePrepare, b: below, seen: hot, before: hot},
		"accept between floor and promise": {call: accept("hot", above), phase: paxos.PhaseAccept, b: above, seen: hot, before: hot},
		"prepare of the removed key":       {call: prepare("dead", below), phase: paxos.PhasePrepare, b: below, seen: tomb},
	}
	accTestBackends(t, func(t *testing.T, addr string) {
		ctx := context.Background()
		a := accTestDial(t, addr, nil)
		rdb := accTestClient(t, addr)
		for name, tt := range tests {
			t.Run(name, func(t *testing.T) {
				if err := rdb.FlushAll(ctx).Err(); err != nil {
					t.Fatal(err)
				}
				if _, err := a.Prepare(ctx, "hot", hot); err != nil {
					t.Fatal(err)
				}
				accTestRaiseFloor(t, a, tomb)
				err := tt.call(ctx, a)
				if tt.seen.IsZero() {
					if err != nil {
						t.Fatalf("want the call to pass, have %v", err)
					}
					return
				}
				if err := accTestWantConflict(err, tt.phase, tt.b, tt.seen); err != nil {
					t.Fatal(err)
				}
				key := "k"
				if !tt.before.IsZero() {
					key = "hot"
				}
				if have, err := a.State(ctx, key); err != nil || have.Promise != tt.before || have.Value != nil {
					t.Fatalf("want the refusal to change nothing, have %+v, %v", have, err)
				}
			})
		}
	})
}

func TestRedisAcceptor_RemoveRaisesTheFloorNeverLowers(t *testing.T) {
	accTestBackends(t, func(t *testing.T, addr string) {
		ctx := context.Background()
		a := accTestDial(t, addr, nil)
		if have, err := a.Floor(ctx); err != nil || !have.IsZero() {
			t.Fatalf("want no floor on a fresh node, have %s, %v", have, err)
		}
		if err := a.Accept(ctx, "used", accTestBallot(2, "p1"), []byte("v"), paxos.Ballot{}); err != nil {
			t.Fatal(err)
		}
		steps := []struct {
			key     string
			tomb    paxos.Ballot
			removed bool
			floor   paxos.Ballot
		}{
			{key: "absent", tomb: accTestBallot(5, "gc"), removed: true, floor: accTestBallot(5, "gc")},
			{key: "absent", tomb: accTestBallot(3, "gc"), removed: true, floor: accTestBallot(5, "gc")},
			{key: "used", tomb: accTestBallot(9, "gc"), removed: false, floor: accTestBallot(5, "gc")},
			{key: "absent", tomb: accTestBallot(9, "gc"), removed: true, floor: accTestBallot(9, "gc")},
		}
		for i, s := range steps {
			removed, err := a.Remove(ctx, s.key, s.tomb)
			if err != nil || removed != s.removed {
				t.Fatalf("step %d: want removed=%v, have %v, %v", i, s.removed, removed, err)
			}
			if have, err := a.Floor(ctx); err != nil || have != s.floor {
				t.Fatalf("step %d: want the floor %s, have %s, %v", i, s.floor, have, err)
			}
		}
	})
}

func TestRedisAcceptor_CorruptFloorIsReported(t *testing.T) {
	accTestBackends(t, func(t *testing.T, addr string) {
		ctx := context.Background()
		a := accTestDial(t, addr, nil)
		rdb := accTestClient(t, addr)
		corrupt := map[string]func() error{
			"not a ballot": func() error { return rdb.Set(ctx, "gryadka:floor", "junk", 0).Err() },
			"not a string": func() error { return rdb.HSet(ctx, "gryadka:floor", "f", "v").Err() },
		}
		for name, setup := range corrupt {
			t.Run(name, func(t *testing.T) {
				if err := errors.Join(rdb.FlushAll(ctx).Err(), setup()); err != nil {
					t.Fatal(err)
				}
				b := accTestBallot(1, "p1")
				_, prepErr := a.Prepare(ctx, "k", b)
				_, removeErr := a.Remove(ctx, "k", b)
				for what, err := range map[string]error{
					"prepare": prepErr,
					"accept":  a.Accept(ctx, "k", b, nil, paxos.Ballot{}),
					"remove":  removeErr,
				} {
					if !errors.Is(err, ErrCorruptState) {
						t.Errorf("%s: want ErrCorruptState, have %v", what, err)
					}
				}
				if name == "not a ballot" {
					if _, err := a.Floor(ctx); !errors.Is(err, ErrCorruptState) {
						t.Errorf("floor: want ErrCorruptState, have %v", err)
					}
				}
			})
		}
	})
}
