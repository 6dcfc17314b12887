package bench

import (
	"context"
	"testing"

	"github.com/gryadka/gryadka/paxos"
)

// BenchmarkRoundCounter measures what counting rounds costs a change: the
// proposer builds every event once a tracer is enabled. MemAcceptors keep
// the network out of the figure.
func BenchmarkRoundCounter(b *testing.B) {
	tracers := map[string]paxos.Tracer{"none": nil, "counter": &RoundCounter{}}
	for name, tracer := range tracers {
		b.Run(name, func(b *testing.B) {
			accs := []paxos.Acceptor{paxos.NewMemAcceptor("a1"), paxos.NewMemAcceptor("a2"), paxos.NewMemAcceptor("a3")}
			p, err := paxos.NewProposer(paxos.Options{ID: "p1", Config: paxos.Majority(accs...), OneRTT: true, Tracer: tracer})
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			value := []byte(`{"version":1,"value":1}`)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := p.Change(ctx, "k", func([]byte) ([]byte, error) { return value, nil }); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
