package bench

import (
	"fmt"
	"testing"

	"github.com/gryadka/gryadka/kv"
	"github.com/gryadka/gryadka/paxos"
)

// memStores returns n stores, each with its own proposer, over three
// shared MemAcceptors, their phases counted by counter when it is not nil.
func memStores(t *testing.T, n int, counter *RoundCounter) []*kv.Store {
	t.Helper()
	accs := []paxos.Acceptor{paxos.NewMemAcceptor("a1"), paxos.NewMemAcceptor("a2"), paxos.NewMemAcceptor("a3")}
	stores := make([]*kv.Store, n)
	for i := range stores {
		cfg := paxos.Majority(accs...)
		if counter != nil {
			cfg = counter.Count(cfg)
		}
		p, err := paxos.NewProposer(paxos.Options{ID: fmt.Sprintf("p%d", i+1), Config: cfg, OneRTT: true})
		if err != nil {
			t.Fatal(err)
		}
		stores[i] = kv.New(p)
	}
	return stores
}
