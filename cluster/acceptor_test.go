package cluster

import (
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/gryadka/gryadka/paxos"
)

func accTestBallot(counter uint64, proposer string) paxos.Ballot {
	return paxos.Ballot{Counter: counter, Proposer: proposer}
}

func TestRedisAcceptor_PhaseRules(t *testing.T) {
	b1, b2, b3 := accTestBallot(1, "p1"), accTestBallot(2, "p1"), accTestBallot(3, "p1")
	ctx := context.Background()
	// Each case runs steps on a fresh key and checks the final state.
	tests := map[string]struct {
		run  func(a *RedisAcceptor) error
		want paxos.MemState
	}{
		"prepare on a fresh key promises with nothing accepted": {
			run: func(a *RedisAcceptor) error {
				p, err := a.Prepare(ctx, "k", b1)
				if err != nil || !p.Accepted.IsZero() || p.Value != nil {
					return fmt.Errorf("prepare: %+v, %v", p, err)
				}
				return nil
			},
			want: paxos.MemState{Promise: b1},
		},
		"prepare at the promised ballot conflicts": {
			run: func(a *RedisAcceptor) error {
				_, _ = a.Prepare(ctx, "k", b2)
				_, err := a.Prepare(ctx, "k", b2)
				return accTestWantConflict(err, paxos.PhasePrepare, b2, b2)
			},
			want: paxos.MemState{Promise: b2},
		},
		"accept below the promise conflicts": {
			run: func(a *RedisAcceptor) error {
				_, _ = a.Prepare(ctx, "k", b2)
				return accTestWantConflict(a.Accept(ctx, "k", b1, []byte("v"), paxos.Ballot{}), paxos.PhaseAccept, b1, b2)
			},
			want: paxos.MemState{Promise: b2},
		},
		"accept at the promise stores the value, twice is fine": {
			run: func(a *RedisAcceptor) error {
				_, _ = a.Prepare(ctx, "k", b2)
				if err := a.Accept(ctx, "k", b2, []byte("v"), paxos.Ballot{}); err != nil {
					return err
				}
				return a.Accept(ctx, "k", b2, []byte("v"), paxos.Ballot{})
			},
			want: paxos.MemState{Promise: b2, Accepted: b2, Value: []byte("v")},
		},
		"accept with next promises next (one round trip)": {
			run: func(a *RedisAcceptor) error {
				if err := a.Accept(ctx, "k", b1, []byte("v"), b3); err != nil {
					return err
				}
				return accTestWantConflict(a.Accept(ctx, "k", b2, []byte("w"), paxos.Ballot{}), paxos.PhaseAccept, b2, b3)
			},
			want: paxos.MemState{Promise: b3, Accepted: b1, Value: []byte("v")},
		},
		"prepare returns the accepted value": {
			run: func(a *RedisAcceptor) error {
				_ = a.Accept(ctx, "k", b1, []byte("v"), paxos.Ballot{})
				p, err := a.Prepare(ctx, "k", b2)
				if err != nil || p.Accepted != b1 || string(p.Value) != "v" {
					return fmt.Errorf("prepare: %+v, %v", p, err)
				}
				return nil
			},
			want: paxos.MemState{Promise: b2, Accepted: b1, Value: []byte("v")},
		},
		"an empty value stays empty, not nil": {
			run: func(a *RedisAcceptor) error {
				_ = a.Accept(ctx, "k", b1, []byte{}, paxos.Ballot{})
				p, err := a.Prepare(ctx, "k", b2)
				if err != nil || p.Value == nil || len(p.Value) != 0 {
					return fmt.Errorf("prepare: %#v, %v", p.Value, err)
				}
				return nil
			},
			want: paxos.MemState{Promise: b2, Accepted: b1, Value: []byte{}},
		},
		"a nil value replaces an accepted one": {
			run: func(a *RedisAcceptor) error {
				_ = a.Accept(ctx, "k", b1, []byte("v"), paxos.Ballot{})
				_ = a.Accept(ctx, "k", b2, nil, paxos.Ballot{})
				p, err := a.Prepare(ctx, "k", b3)
				if err != nil || p.Value != nil || p.Accepted != b2 {
					return fmt.Errorf("prepare: %+v, %v", p, err)
				}
				return nil
			},
			want: paxos.MemState{Promise: b3, Accepted: b2},
		},
		"binary values survive": {
			run: func(a *RedisAcceptor) error {
				return a.Accept(ctx, "k", b1, []byte("\x00\xff\r\n\"'"), paxos.Ballot{})
			},
			want: paxos.MemState{Promise: b1, Accepted: b1, Value: []byte("\x00\xff\r\n\"'")},
		},
	}
	accTestBackends(t, func(t *testing.T, addr string) {
		a := accTestDial(t, addr, nil)
		rdb := accTestClient(t, addr)
		for name, tt := range tests {
			t.Run(name, func(t *testing.T) {
				if err := rdb.FlushAll(ctx).Err(); err != nil {
					t.Fatal(err)
				}
				if err := tt.run(a); err != nil {
					t.Fatal(err)
				}
				have, err := a.State(ctx, "k")
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(tt.want, have) {
					t.Errorf("state: want %#v, have %#v", tt.want, have)
				}
			})
		}
	})
}

// TestRedisAcceptor_BallotOrder checks the scripts order ballots like
// paxos.Ballot.Less, also where doubles lose precision and where a
// locale's collation would differ from byte order.
func TestRedisAcceptor_BallotOrder(t *testing.T) {
	tests := map[string]struct{ lo, hi paxos.Ballot }{
		"small counters":               {accTestBallot(9, "p"), accTestBallot(10, "p")},
		"above 2^53":                   {accTestBallot(1<<53, "p"), accTestBallot(1<<53+1, "p")},
		"at the top of uint64":         {accTestBallot(math.MaxUint64-1, "z"), accTestBallot(math.MaxUint64, "a")},
		"halves of the counter":        {accTestBallot(9999999999, "p"), accTestBallot(10000000000, "p")},
		"upper case before lower case": {accTestBallot(5, "Z"), accTestBallot(5, "a")},
		"dash before underscore":       {accTestBallot(5, "p-1"), accTestBallot(5, "p_1")},
		"a prefix orders first":        {accTestBallot(5, "p"), accTestBallot(5, "p.1")},
		"incarnations":                 {accTestBallot(5, "p.0a"), accTestBallot(5, "p.0b")},
	}
	ctx := context.Background()
	accTestBackends(t, func(t *testing.T, addr string) {
		a := accTestDial(t, addr, nil)
		for name, tt := range tests {
			t.Run(name, func(t *testing.T) {
				if !tt.lo.Less(tt.hi) {
					t.Fatalf("bad case: %s is not below %s", tt.lo, tt.hi)
				}
				key := "order/" + name
				if _, err := a.Prepare(ctx, key, tt.lo); err != nil {
					t.Fatalf("prepare %s: %v", tt.lo, err)
				}
				if _, err := a.Prepare(ctx, key, tt.hi); err != nil {
					t.Fatalf("prepare %s after %s: want a promise, have %v", tt.hi, tt.lo, err)
				}
				_, err := a.Prepare(ctx, key, tt.lo)
				if err := accTestWantConflict(err, paxos.PhasePrepare, tt.lo, tt.hi); err != nil {
					t.Fatal(err)
				}
			})
		}
	})
}

func TestRedisAcceptor_MalformedBallotChangesNothing(t *testing.T) {
	ctx := context.Background()
	good := accTestBallot(7, "p1")
	tests := map[string]func(a *RedisAcceptor) error{
		"zero ballot prepare": func(a *RedisAcceptor) error {
			_, err := a.Prepare(ctx, "k", paxos.Ballot{})
			return err
		},
		"separator in proposer": func(a *RedisAcceptor) error {
			_, err := a.Prepare(ctx, "k", accTestBallot(9, "p:1"))
			return err
		},
		"empty proposer": func(a *RedisAcceptor) error {
			return a.Accept(ctx, "k", accTestBallot(9, ""), []byte("v"), paxos.Ballot{})
		},
		"malformed next": func(a *RedisAcceptor) error {
			return a.Accept(ctx, "k", accTestBallot(9, "p1"), []byte("v"), accTestBallot(10, "p 1"))
		},
		"proposer too long": func(a *RedisAcceptor) error {
			return a.Accept(ctx, "k", accTestBallot(9, strings.Repeat("p", 33)), []byte("v"), paxos.Ballot{})
		},
	}
	accTestBackends(t, func(t *testing.T, addr string) {
		a := accTestDial(t, addr, nil)
		if _, err := a.Prepare(ctx, "k", good); err != nil {
			t.Fatal(err)
		}
		for name, call := range tests {
			t.Run(name, func(t *testing.T) {
				if err := call(a); !errors.Is(err, ErrBadArgument) {
					t.Fatalf("want ErrBadArgument, have %v", err)
				}
				have, err := a.State(ctx, "k")
				if err != nil || have.Promise != good || !have.Accepted.IsZero() {
					t.Fatalf("state changed: have %+v, %v", have, err)
				}
			})
		}
	})
}

func TestRedisAcceptor_NoScriptFallsBackToEval(t *testing.T) {
	ctx := context.Background()
	accTestBackends(t, func(t *testing.T, addr string) {
		a := accTestDial(t, addr, nil)
		rdb := accTestClient(t, addr)
		if err := rdb.ScriptFlush(ctx).Err(); err != nil {
			t.Fatal(err)
		}
		exists, err := rdb.ScriptExists(ctx, prepareScript.Hash(), acceptScript.Hash()).Result()
		if err != nil || exists[0] || exists[1] {
			t.Fatalf("scripts still cached after SCRIPT FLUSH: %v, %v", exists, err)
		}
		b := accTestBallot(1, "p1")
		if _, err := a.Prepare(ctx, "k", b); err != nil {
			t.Fatalf("prepare after SCRIPT FLUSH: %v", err)
		}
		if err := a.Accept(ctx, "k", b, []byte("v"), paxos.Ballot{}); err != nil {
			t.Fatalf("accept after SCRIPT FLUSH: %v", err)
		}
		if err := rdb.ScriptFlush(ctx).Err(); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Ping(ctx); err != nil {
			t.Fatalf("ping after SCRIPT FLUSH: %v", err)
		}
	})
}

func TestRedisAcceptor_CorruptStateIsReportedNotOverwritten(t *testing.T) {
	ctx := context.Background()
	tests := map[string]map[string]string{
		"promise not a ballot":          {"promise": "garbage"},
		"accepted not a ballot":         {"promise": "00000000000000000005:p", "accepted": "5:p"},
		"counter above uint64":          {"promise": "99999999999999999999:p"},
		"counter zero":                  {"promise": "00000000000000000000:p"},
		"value without accepted ballot": {"promise": "00000000000000000005:p", "value": "v"},
		"promise below accepted":        {"promise": "00000000000000000004:p", "accepted": "00000000000000000005:p"},
		"accepted without promise":      {"accepted": "00000000000000000005:p"},
	}
	accTestBackends(t, func(t *testing.T, addr string) {
		a := accTestDial(t, addr, nil)
		rdb := accTestClient(t, addr)
		b := accTestBallot(9, "p1")
		check := func(t *testing.T, key string, err error) {
			t.Helper()
			if !errors.Is(err, ErrCorruptState) {
				t.Fatalf("want ErrCorruptState, have %v", err)
			}
			if msg := err.Error(); !strings.Contains(msg, "a1") || !strings.Contains(msg, key) {
				t.Errorf("error does not name node and key: %s", msg)
			}
		}
		for name, fields := range tests {
			t.Run(name, func(t *testing.T) {
				key := "c/" + name
				if err := rdb.HSet(ctx, a.keyPrefix+key, fields).Err(); err != nil {
					t.Fatal(err)
				}
				_, err := a.Prepare(ctx, key, b)
				check(t, key, err)
				check(t, key, a.Accept(ctx, key, b, []byte("w"), paxos.Ballot{}))
				_, err = a.State(ctx, key)
				check(t, key, err)
				have, err := rdb.HGetAll(ctx, a.keyPrefix+key).Result()
				if err != nil || !reflect.DeepEqual(fields, have) {
					t.Errorf("stored state changed: want %v, have %v (%v)", fields, have, err)
				}
			})
		}
		t.Run("not a hash", func(t *testing.T) {
			key := "c/string"
			if err := rdb.Set(ctx, a.keyPrefix+key, "x", 0).Err(); err != nil {
				t.Fatal(err)
			}
			_, err := a.Prepare(ctx, key, b)
			check(t, key, err)
			if have, _ := rdb.Get(ctx, a.keyPrefix+key).Result(); have != "x" {
				t.Errorf("want x, have %q", have)
			}
		})
	})
}

func accTestWantConflict(err error, phase paxos.Phase, proposed, seen paxos.Ballot) error {
	var ce *paxos.ConflictError
	if !errors.As(err, &ce) {
		return fmt.Errorf("want a conflict, have %v", err)
	}
	want := paxos.ConflictError{Phase: phase, Acceptor: "a1", Proposed: proposed, Seen: seen}
	if *ce != want {
		return fmt.Errorf("want %+v, have %+v", want, *ce)
	}
	return nil
}
