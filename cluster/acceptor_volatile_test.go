package cluster

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/gryadka/gryadka/paxos"
)

func TestRedisAcceptor_VolatileFindsKeysWithATTL(t *testing.T) {
	accTestBackends(t, func(t *testing.T, addr string) {
		ctx := context.Background()
		a := accTestDial(t, addr, nil)
		if err := a.Join(ctx, "c1"); err != nil {
			t.Fatal(err)
		}
		for _, key := range []string{"keep", "expire"} {
			if _, err := a.Prepare(ctx, key, paxos.Ballot{Counter: 1, Proposer: "p1"}); err != nil {
				t.Fatal(err)
			}
		}
		if have, err := a.Volatile(ctx); err != nil || len(have) != 0 {
			t.Fatalf("want no volatile keys, have %v (%v)", have, err)
		}
		rdb := accTestClient(t, addr)
		rdb.Expire(ctx, "gryadka:k:expire", time.Hour)
		rdb.Expire(ctx, "gryadka:identity", time.Hour)
		rdb.Set(ctx, "gryadka:floor", paxos.Ballot{Counter: 1, Proposer: "gc"}.Wire(), time.Hour)
		rdb.Set(ctx, "other:data", "x", time.Hour) // not gryadka's
		want := []string{"gryadka:floor", "gryadka:identity", "gryadka:k:expire"}
		if have, err := a.Volatile(ctx); err != nil || !slices.Equal(have, want) {
			t.Fatalf("want %v, have %v (%v)", want, have, err)
		}
	})
}
