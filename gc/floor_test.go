package gc

import (
	"context"
	"errors"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/gryadka/gryadka/cluster"
	"github.com/gryadka/gryadka/paxos"
)

// floorless is a node whose removals leave no ballot floor behind, as an
// acceptor from before the floor existed: the test-only switch that shows
// what the floor prevents.
type floorless struct {
	Acceptor
	forget func(ctx context.Context) error
}

func (f floorless) Remove(ctx context.Context, key string, tombstone paxos.Ballot) (bool, error) {
	gone, err := f.Acceptor.Remove(ctx, key, tombstone)
	if err != nil {
		return gone, err
	}
	return gone, f.forget(ctx)
}

// withoutFloor makes the collector's removals leave no floor on any node.
func withoutFloor(t testing.TB, c *Collector) {
	t.Helper()
	accs := make([]Acceptor, len(c.cfg.Acceptors))
	for i, a := range c.cfg.Acceptors {
		switch n := a.(type) {
		case *paxos.MemAcceptor:
			accs[i] = floorless{Acceptor: a, forget: func(context.Context) error { n.ForgetFloor(); return nil }}
		case *cluster.RedisAcceptor:
			ep := n.Endpoint()
			rdb := redis.NewClient(&redis.Options{Addr: ep.Addr, Username: ep.Username, Password: ep.Password, TLSConfig: ep.TLS})
			t.Cleanup(func() { _ = rdb.Close() })
			accs[i] = floorless{Acceptor: a, forget: func(ctx context.Context) error {
				return rdb.Del(ctx, cluster.DefaultNamespace+":floor").Err()
			}}
		default:
			t.Fatalf("cannot forget the floor of %T", a)
		}
	}
	c.cfg.Acceptors = accs
}

// The hole the ages leave: they are kept per proposer incarnation, so a
// proposer started after the fence (a restarted p1, or one the collector
// does not know) is neither invalidated nor fenced, and its counter starts
// low. The collector has removed the key from a1 and a2 and not yet from
// a3, which still holds the tombstone; the new proposer writes v3 under a
// ballot below the tombstone's, which the emptied a1 and a2 take: the
// write is acknowledged. A read through a2 and a3 then meets the tombstone
// first and loses v3. The floor left by the removals makes a1 and a2
// refuse that ballot; the proposer moves past the tombstone and retries.
func TestCollector_UnknownProposerCannotLoseAnUpdate(t *testing.T) {
	tests := map[string]struct {
		noFloor bool
		want    any
	}{
		"full process":      {want: "v3"},
		"without the floor": {noFloor: true, want: nil},
	}
	for name, newBackend := range backends {
		for tname, tt := range tests {
			t.Run(name+"/"+tname, func(t *testing.T) {
				b := newBackend(t)
				p1 := newProposer(t, "p1", b.dial(t, "p1", nil), false)
				reader := newProposer(t, "reader", pick(b.dial(t, "reader", nil), "a2", "a3"), false)
				for i := range 5 { // p1's counter, hence the tombstone's ballot, runs ahead
					mustSet(t, store(p1), "k", i)
				}
				mustDelete(t, store(p1), "k")
				settled(t, b, "k")

				c := newCollector(t, b, Local{p1, reader}, nil)
				if tt.noFloor {
					withoutFloor(t, c)
				}
				var have any
				c.beforeRemove = func(node string) {
					if node != "a3" {
						return
					}
					// Started after the fence, under a name the collector
					// does not know: counter 0, age 0, nothing cached.
					late := newProposer(t, "late", b.dial(t, "late", nil), false)
					mustSet(t, store(late), "k", "v3")
					have = read(t, store(reader), "k")
				}
				// The read wrote what it found back to a2 and a3, so a3
				// keeps k in both cases.
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
