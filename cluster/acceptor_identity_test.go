package cluster

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/gryadka/gryadka/paxos"
)

// TestRedisAcceptor_WipedNodeMustNotVote: a node without the cluster's
// identity refuses both phases and changes nothing, until it joins.
func TestRedisAcceptor_WipedNodeMustNotVote(t *testing.T) {
	ctx := context.Background()
	b1, b2 := accTestBallot(1, "p1"), accTestBallot(2, "p1")
	accTestBackends(t, func(t *testing.T, addr string) {
		rdb := accTestClient(t, addr)
		a := accTestDial(t, addr, func(o *AcceptorOptions) { o.Identity = "c1" })
		if w := strings.Join(a.Warnings(), "\n"); !strings.Contains(w, "no identity") {
			t.Errorf("want a warning about the missing identity, have %q", w)
		}
		refused := func(when string) {
			t.Helper()
			_, err := a.Prepare(ctx, "k", b2)
			if !errors.Is(err, ErrIdentityMismatch) {
				t.Fatalf("%s: prepare: want ErrIdentityMismatch, have %v", when, err)
			}
			if err := a.Accept(ctx, "k", b2, []byte("x"), paxos.Ballot{}); !errors.Is(err, ErrIdentityMismatch) {
				t.Fatalf("%s: accept: want ErrIdentityMismatch, have %v", when, err)
			}
		}
		refused("before joining")
		if s, err := a.State(ctx, "k"); err != nil || !s.Promise.IsZero() {
			t.Fatalf("a refused node changed state: %+v, %v", s, err)
		}

		if err := a.Join(ctx, "c1"); err != nil {
			t.Fatal(err)
		}
		if err := a.Join(ctx, "c1"); err != nil {
			t.Fatalf("joining twice: %v", err)
		}
		if err := a.Accept(ctx, "k", b1, []byte("v"), paxos.Ballot{}); err != nil {
			t.Fatalf("accept after joining: %v", err)
		}

		if err := rdb.FlushAll(ctx).Err(); err != nil { // the disk is lost
			t.Fatal(err)
		}
		refused("after a wipe")

		if err := rdb.Set(ctx, a.identityKey, "c2", 0).Err(); err != nil {
			t.Fatal(err)
		}
		refused("with another identity")
		if err := a.Join(ctx, "c1"); !errors.Is(err, ErrIdentityMismatch) {
			t.Fatalf("join over another identity: want ErrIdentityMismatch, have %v", err)
		}
		if have, _ := a.Identity(ctx); have != "c2" {
			t.Fatalf("identity: want c2, have %q", have)
		}
	})
}

func TestRedisAcceptor_NoIdentityRequiredVotes(t *testing.T) {
	accTestBackends(t, func(t *testing.T, addr string) {
		a := accTestDial(t, addr, nil)
		if err := a.Join(context.Background(), "c9"); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Prepare(context.Background(), "k", accTestBallot(1, "p1")); err != nil {
			t.Fatalf("an acceptor that requires no identity votes on any node: %v", err)
		}
	})
}
