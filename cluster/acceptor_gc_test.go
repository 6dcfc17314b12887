package cluster

import (
	"context"
	"errors"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/alicebob/miniredis/v2"

	"github.com/gryadka/gryadka/paxos"
)

func TestRedisAcceptor_AgeFence(t *testing.T) {
	accTestBackends(t, func(t *testing.T, addr string) {
		ctx := context.Background()
		a := accTestDial(t, addr, nil)
		old := accTestBallot(1, "p1.x")
		if _, err := a.Prepare(ctx, "k", old); err != nil {
			t.Fatalf("want no fence before a minimum is set, have %v", err)
		}
		for _, age := range []uint64{2, 1} { // the minimum only rises
			if err := a.RaiseMinAge(ctx, "p1.x", age); err != nil {
				t.Fatal(err)
			}
		}
		if have, err := a.MinAge(ctx, "p1.x"); err != nil || have != 2 {
			t.Fatalf("want min age 2, have %d, %v", have, err)
		}

		b := accTestBallot(2, "p1.x")
		_, err := a.Prepare(paxos.WithAge(ctx, 1), "k", b)
		var ae *paxos.AgeError
		if !errors.As(err, &ae) || *ae != (paxos.AgeError{Acceptor: "a1", Proposer: "p1.x", Age: 1, MinAge: 2}) {
			t.Fatalf("want an *AgeError for age 1 < 2, have %v", err)
		}
		err = a.Accept(ctx, "k", b, []byte("v"), paxos.Ballot{})
		if !errors.As(err, &ae) || ae.Age != 0 {
			t.Fatalf("want an accept without an age refused, have %v", err)
		}
		if st, err := a.State(ctx, "k"); err != nil || st.Promise != old || st.Value != nil {
			t.Fatalf("want the state untouched by refusals, have %+v, %v", st, err)
		}

		if _, err := a.Prepare(paxos.WithAge(ctx, 2), "k", b); err != nil {
			t.Fatalf("want age 2 to pass, have %v", err)
		}
		if err := a.Accept(paxos.WithAge(ctx, 3), "k", b, []byte("v"), paxos.Ballot{}); err != nil {
			t.Fatalf("want age 3 to pass, have %v", err)
		}
		if _, err := a.Prepare(ctx, "k", accTestBallot(3, "p2.y")); err != nil {
			t.Fatalf("want another proposer unaffected, have %v", err)
		}
	})
}

// Remove deletes only the exact tombstone state, answering as
// paxos.MemAcceptor does, and twice the same.
func TestRedisAcceptor_RemoveMatchesMemAcceptor(t *testing.T) {
	tomb := accTestBallot(5, "gc")
	higher := accTestBallot(6, "p1")
	type call func(ctx context.Context, a paxos.Acceptor) error
	accept := func(b paxos.Ballot, v string) call {
		return func(ctx context.Context, a paxos.Acceptor) error {
			return a.Accept(ctx, "k", b, []byte(v), paxos.Ballot{})
		}
	}
	prepare := func(b paxos.Ballot) call {
		return func(ctx context.Context, a paxos.Acceptor) error { _, err := a.Prepare(ctx, "k", b); return err }
	}
	tests := map[string]struct {
		setup   []call
		removed bool
	}{
		"absent":         {removed: true},
		"the tombstone":  {setup: []call{accept(tomb, "dead")}, removed: true},
		"prepared since": {setup: []call{accept(tomb, "dead"), prepare(higher)}},
		"written since":  {setup: []call{accept(tomb, "dead"), accept(higher, "alive")}},
		"older state":    {setup: []call{accept(accTestBallot(1, "p1"), "old")}},
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
				mem := paxos.NewMemAcceptor("a1")
				for _, c := range tt.setup {
					if err := errors.Join(c(ctx, mem), c(ctx, a)); err != nil {
						t.Fatal(err)
					}
				}
				for range 2 {
					memRemoved, err := mem.Remove(ctx, "k", tomb)
					if err != nil {
						t.Fatal(err)
					}
					removed, err := a.Remove(ctx, "k", tomb)
					if err != nil {
						t.Fatal(err)
					}
					if removed != tt.removed || memRemoved != tt.removed {
						t.Fatalf("want removed=%v, have redis %v, mem %v", tt.removed, removed, memRemoved)
					}
				}
				have, err := a.State(ctx, "k")
				if err != nil {
					t.Fatal(err)
				}
				if want := mem.State("k"); !reflect.DeepEqual(want, have) {
					t.Fatalf("want the state %+v, have %+v", want, have)
				}
				if n, err := rdb.Exists(ctx, "gryadka:k:k").Result(); err != nil || (n == 0) != tt.removed {
					t.Fatalf("want the hash gone=%v, have exists=%d, %v", tt.removed, n, err)
				}
			})
		}
	})
}

// A wiped node (no identity) must not take part in the collection.
func TestRedisAcceptor_GCCallsCheckTheIdentity(t *testing.T) {
	ctx := context.Background()
	a := accTestDial(t, miniredis.RunT(t).Addr(), func(o *AcceptorOptions) { o.Identity = "c1" })
	if err := a.RaiseMinAge(ctx, "p1.x", 1); !errors.Is(err, ErrIdentityMismatch) {
		t.Fatalf("want ErrIdentityMismatch, have %v", err)
	}
	if _, err := a.Remove(ctx, "k", accTestBallot(1, "gc")); !errors.Is(err, ErrIdentityMismatch) {
		t.Fatalf("want ErrIdentityMismatch, have %v", err)
	}
	if err := a.Join(ctx, "c1"); err != nil {
		t.Fatal(err)
	}
	if err := a.RaiseMinAge(ctx, "p1.x", 1); err != nil {
		t.Fatalf("want the joined node to take the age, have %v", err)
	}
	if err := a.RaiseMinAge(ctx, "not a proposer", 1); !errors.Is(err, ErrBadArgument) {
		t.Fatalf("want ErrBadArgument for a malformed proposer, have %v", err)
	}
}

// The Lua age fence, removal and floor agree with paxos.MemAcceptor on
// seeded random sequences of every call, ages included.
func TestRedisAcceptor_GCDifferential(t *testing.T) {
	accTestBackends(t, func(t *testing.T, addr string) {
		ctx := context.Background()
		a := accTestDial(t, addr, nil)
		rdb := accTestClient(t, addr)
		for seed := range uint64(8) {
			if err := rdb.FlushAll(ctx).Err(); err != nil {
				t.Fatal(err)
			}
			mem := paxos.NewMemAcceptor("a1")
			r := rand.New(rand.NewPCG(seed, 7))
			proposers := []string{"p1.x", "p2.y", "gc.z"}
			ballot := func() paxos.Ballot {
				return accTestBallot(uint64(1+r.IntN(12)), proposers[r.IntN(len(proposers))])
			}
			for i := range 300 {
				actx := paxos.WithAge(ctx, uint64(r.IntN(4)))
				key := accTestKeys[r.IntN(2)]
				var what string
				var memErr, redisErr error
				var memOut, redisOut any
				switch op := r.IntN(10); {
				case op < 4:
					b := ballot()
					what = "prepare " + b.String()
					memOut, memErr = mem.Prepare(actx, key, b)
					redisOut, redisErr = a.Prepare(actx, key, b)
				case op < 8:
					b, v := ballot(), accTestValues[r.IntN(len(accTestValues))]
					what = "accept " + b.String()
					memErr = mem.Accept(actx, key, b, v, paxos.Ballot{})
					redisErr = a.Accept(actx, key, b, v, paxos.Ballot{})
				case op < 9:
					p, age := proposers[r.IntN(len(proposers))], uint64(r.IntN(4))
					what = "raise " + p
					memErr = mem.RaiseMinAge(ctx, p, age)
					redisErr = a.RaiseMinAge(ctx, p, age)
				default:
					b := ballot()
					if acc := mem.State(key).Accepted; !acc.IsZero() && r.IntN(2) == 0 {
						b = acc // the ballot of a tombstone, often
					}
					what = "remove " + b.String()
					memOut, memErr = mem.Remove(ctx, key, b)
					redisOut, redisErr = a.Remove(ctx, key, b)
				}
				if !gcSameError(memErr, redisErr) || !reflect.DeepEqual(memOut, redisOut) {
					t.Fatalf("seed %d op %d (%s %s): MemAcceptor answered %v, %v; RedisAcceptor %v, %v",
						seed, i, what, key, memOut, memErr, redisOut, redisErr)
				}
			}
			for _, key := range accTestKeys[:2] {
				have, err := a.State(ctx, key)
				if err != nil {
					t.Fatal(err)
				}
				if want := mem.State(key); !reflect.DeepEqual(want, have) {
					t.Fatalf("seed %d: final state of %q: MemAcceptor has %+v, RedisAcceptor %+v", seed, key, want, have)
				}
			}
			if have, err := a.Floor(ctx); err != nil || have != mem.Floor() {
				t.Fatalf("seed %d: final floor: MemAcceptor has %s, RedisAcceptor %s, %v", seed, mem.Floor(), have, err)
			}
		}
	})
}

func gcSameError(want, have error) bool {
	var wa, ha *paxos.AgeError
	if errors.As(want, &wa) || errors.As(have, &ha) {
		return errors.As(want, &wa) && errors.As(have, &ha) && *wa == *ha
	}
	return accTestSameError(want, have)
}
