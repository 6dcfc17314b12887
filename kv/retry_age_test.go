package kv

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gryadka/gryadka/paxos"
)

// fencing fences its proposer off before the first prepare it passes on,
// as a garbage collection running meanwhile would: the proposer's age
// and every node's minimum age for it are raised, so that prepare,
// carrying the old age, is refused.
type fencing struct {
	paxos.Acceptor
	once  *sync.Once
	p     **paxos.Proposer
	nodes []*paxos.MemAcceptor
	raise bool // false: the proposer's own age is not raised
}

func (f fencing) Prepare(ctx context.Context, key string, b paxos.Ballot) (paxos.Promise, error) {
	f.once.Do(func() {
		age := (*f.p).Age() + 1
		if f.raise {
			age = (*f.p).RaiseAge()
		}
		for _, n := range f.nodes {
			if err := n.RaiseMinAge(context.Background(), (*f.p).ID(), age); err != nil {
				panic(err)
			}
		}
	})
	return f.Acceptor.Prepare(ctx, key, b)
}

func fencedStore(t *testing.T, raise bool) (*Store, *paxos.Proposer) {
	var p *paxos.Proposer
	once := &sync.Once{}
	var nodes []*paxos.MemAcceptor
	var accs []paxos.Acceptor
	for _, a := range memAcceptors(3) {
		nodes = append(nodes, a.(*paxos.MemAcceptor))
	}
	for _, n := range nodes {
		accs = append(accs, fencing{Acceptor: n, once: once, p: &p, nodes: nodes, raise: raise})
	}
	p = newProposer(t, "p1", false, accs...)
	return New(p, WithMaxAttempts(3), WithBackoff(time.Microsecond, time.Millisecond)), p
}

func TestStore_RetriesRefusalsByAge(t *testing.T) {
	s, p := fencedStore(t, true)
	e, err := s.Incr(ctxT(t), "k", 1)
	check(t, "incr", Entry{Version: 1, Value: int64(1)}, e, nil, err)
	if want, have := uint64(1), p.Age(); want != have {
		t.Errorf("want age %d, have %d", want, have)
	}
	if want, have := (Stats{Attempts: 2, Retries: 1}), s.Stats(); want != have {
		t.Errorf("want %+v, have %+v", want, have)
	}
}

func TestStore_GivesUpWhenNeverRaised(t *testing.T) {
	s, _ := fencedStore(t, false)
	_, err := s.Incr(ctxT(t), "k", 1)
	if !errors.Is(err, ErrConflict) || !paxos.IsTooOld(err) {
		t.Fatalf("want ErrConflict wrapping the refusal by age, have %v", err)
	}
	if !strings.Contains(err.Error(), "(3 attempts)") {
		t.Errorf("want the attempts counted in %q", err)
	}
}
