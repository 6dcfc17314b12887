package cluster

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"github.com/gryadka/gryadka/paxos"
)

func TestRedisAcceptor_Keys(t *testing.T) {
	ctx := context.Background()
	accTestBackends(t, func(t *testing.T, addr string) {
		a := accTestDial(t, addr, nil)
		other := accTestDial(t, addr, func(o *AcceptorOptions) { o.Namespace = "other" })
		for i := range 700 { // more than one SCAN page
			if _, err := a.Prepare(ctx, fmt.Sprintf("user:%03d", i), accTestBallot(1, "p1")); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := a.Prepare(ctx, "cart:1", accTestBallot(1, "p1")); err != nil {
			t.Fatal(err)
		}
		if err := accTestClient(t, addr).Set(ctx, "unrelated", "x", 0).Err(); err != nil {
			t.Fatal(err)
		}
		tests := map[string]struct {
			match string
			count int
			want  int
		}{
			"all":            {"", 0, 701},
			"by pattern":     {"user:*", 0, 700},
			"one key":        {"cart:1", 0, 1},
			"bounded":        {"", 10, 10},
			"nothing":        {"nope*", 0, 0},
			"bigger than it": {"cart:*", 10, 1},
		}
		for name, tt := range tests {
			t.Run(name, func(t *testing.T) {
				keys, err := a.Keys(ctx, tt.match, tt.count)
				if err != nil {
					t.Fatal(err)
				}
				if len(keys) != tt.want {
					t.Fatalf("want %d keys, have %d: %.80v", tt.want, len(keys), keys)
				}
				for i := 1; i < len(keys); i++ {
					if keys[i-1] >= keys[i] {
						t.Fatalf("keys not sorted or repeated at %d: %q, %q", i, keys[i-1], keys[i])
					}
				}
			})
		}
		if keys, err := other.Keys(ctx, "", 0); err != nil || len(keys) != 0 {
			t.Errorf("another namespace sees keys: %v, %v", keys, err)
		}
	})
}

func TestRedisAcceptor_DigestComparesAcceptors(t *testing.T) {
	ctx := context.Background()
	accTestBackends(t, func(t *testing.T, addr string) {
		a1 := accTestDial(t, addr, func(o *AcceptorOptions) { o.Namespace = "n1" })
		a2 := accTestDial(t, addr, func(o *AcceptorOptions) { o.Namespace = "n2" })
		digest := func(a *RedisAcceptor) string {
			t.Helper()
			d, err := a.Digest(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return d
		}
		empty := digest(a1)
		for _, a := range []*RedisAcceptor{a1, a2} {
			for i := range 300 {
				if err := a.Accept(ctx, fmt.Sprint("k", i), accTestBallot(1, "p1"), []byte(fmt.Sprint(i)), paxos.Ballot{}); err != nil {
					t.Fatal(err)
				}
			}
		}
		same := digest(a1)
		if same == empty || same != digest(a2) {
			t.Fatalf("equal states: want equal non-empty digests, have %s and %s (empty %s)", same, digest(a2), empty)
		}
		// A higher promise alone does not make acceptors disagree.
		if _, err := a2.Prepare(ctx, "k7", accTestBallot(5, "p2")); err != nil {
			t.Fatal(err)
		}
		if have := digest(a2); have != same {
			t.Errorf("a promise changed the digest: want %s, have %s", same, have)
		}
		if err := a2.Accept(ctx, "k7", accTestBallot(5, "p2"), []byte("7"), paxos.Ballot{}); err != nil {
			t.Fatal(err)
		}
		if have := digest(a2); have == same {
			t.Error("a different accepted ballot left the digest unchanged")
		}
		if err := a1.Accept(ctx, "k7", accTestBallot(5, "p2"), nil, paxos.Ballot{}); err != nil {
			t.Fatal(err)
		}
		if err := a2.Accept(ctx, "k7", accTestBallot(5, "p2"), []byte{}, paxos.Ballot{}); err != nil {
			t.Fatal(err)
		}
		if digest(a1) == digest(a2) {
			t.Error("nil and empty values have the same digest")
		}
	})
}

func TestRedisAcceptor_StateOfUntouchedKey(t *testing.T) {
	accTestBackends(t, func(t *testing.T, addr string) {
		a := accTestDial(t, addr, nil)
		have, err := a.State(context.Background(), "never")
		if err != nil || !reflect.DeepEqual(have, paxos.MemState{}) {
			t.Fatalf("want the zero state, have %+v, %v", have, err)
		}
		if d, err := a.Ping(context.Background()); err != nil || d <= 0 {
			t.Fatalf("ping: %v, %v", d, err)
		}
	})
}
