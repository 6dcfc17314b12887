package paxos_test

import (
	"context"
	"fmt"
	"math/rand"
	"strings"
	"sync"
	"testing"

	"github.com/gryadka/gryadka/paxos"
)

// flaky decides, from a seeded source, which messages a lossy link loses.
type flaky struct {
	mu   sync.Mutex
	rand *rand.Rand
}

func (f *flaky) roll(pct int) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.rand.Intn(100) < pct
}

// lossy wraps an acceptor so that 10% of requests and 10% of replies are lost.
type lossy struct {
	paxos.Acceptor
	f *flaky
}

func (l lossy) Prepare(ctx context.Context, key string, b paxos.Ballot) (paxos.Promise, error) {
	if l.f.roll(10) {
		return paxos.Promise{}, errLinkDown
	}
	pr, err := l.Acceptor.Prepare(ctx, key, b)
	if err == nil && l.f.roll(10) {
		return paxos.Promise{}, errLinkDown
	}
	return pr, err
}

func (l lossy) Accept(ctx context.Context, key string, b paxos.Ballot, value []byte, next paxos.Ballot) error {
	if l.f.roll(10) {
		return errLinkDown
	}
	err := l.Acceptor.Accept(ctx, key, b, value, next)
	if err == nil && l.f.roll(10) {
		return errLinkDown
	}
	return err
}

// From the paper: a value, once chosen, is the base of every later one.
// Several proposers append to one key over lossy links: every acknowledged
// state is a prefix of the final one, a change that failed definitely never
// appears in it, and no change appears twice.
func TestProposers_CompetingOverLossyLinksNeverLoseAnAcknowledgedChange(t *testing.T) {
	f := &flaky{rand: rand.New(rand.NewSource(1))}
	mems := memAcceptors(3)
	acc := make([]paxos.Acceptor, len(mems))
	for i, m := range mems {
		acc[i] = lossy{m, f}
	}
	var proposers []*paxos.Proposer
	for i := range 3 {
		proposers = append(proposers, newProposer(t, paxos.Majority(acc...),
			paxos.Options{ID: fmt.Sprint("p", i), OneRTT: i != 0}))
	}

	var mu sync.Mutex
	acked := map[string]string{} // change ID -> state it returned
	definite := map[string]bool{}
	var wg sync.WaitGroup
	for c := range 6 {
		p := proposers[c%len(proposers)]
		wg.Go(func() {
			for op := range 15 {
				id := fmt.Sprintf("c%do%d", c, op)
				v, err := p.Change(context.Background(), "k", appendID(id))
				mu.Lock()
				switch {
				case err == nil:
					acked[id] = string(v)
				case !paxos.IsIndefinite(err):
					definite[id] = true
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()

	// The final read goes over links that lose nothing.
	reader := newProposer(t, paxos.Majority(asAcceptors(mems)...), paxos.Options{ID: "reader"})
	final := changeRetrying(t, reader, "k", func(s []byte) ([]byte, error) { return s, nil })

	ids := strings.Split(strings.TrimSuffix(final, ","), ",")
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			t.Errorf("change %s applied twice", id)
		}
		seen[id] = true
		if definite[id] {
			t.Errorf("change %s failed definitely, yet it is in the final state", id)
		}
	}
	for id, state := range acked {
		if !strings.HasPrefix(final, state) || !seen[id] {
			t.Errorf("acknowledged change %s (state %q) is lost from the final state %q", id, state, final)
		}
	}
	t.Logf("%d acknowledged, %d definite failures, %d in the final state", len(acked), len(definite), len(ids))
	if len(acked) == 0 {
		t.Error("no change committed: the test checked nothing")
	}
}
