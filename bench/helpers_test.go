package bench

import (
	"fmt"
	"testing"

	"github.com/gryadka/gryadka/kv"
	"github.com/gryadka/gryadka/paxos"
)

// memStores returns n stores, each with its own proposer, over three
// shared MemAcceptors, the proposers traced by counter when it is not nil.
func memStores(t *testing.T, n int, counter paxos.Tracer) []*kv.Store {
	t.Helper()
	accs := []paxos.Acceptor{paxos.NewMemAcceptor("a1"), paxos.NewMemAcceptor("a2"), paxos.NewMemAcceptor("a3")}
	stores := make([]*kv.Store, n)
	for i := range stores {
		p, err := paxos.NewProposer(paxos.Options{ID: fmt.Sprintf("p%d", i+1), Config: paxos.Majority(accs...),
			OneRTT: true, Tracer: counter})
		if err != nil {
			t.Fatal(err)
		}
		stores[i] = kv.New(p)
	}
	return stores
}
