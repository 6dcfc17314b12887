package bench

import (
	"context"
	"testing"

	"github.com/gryadka/gryadka/paxos"
)

// BenchmarkRoundCounter measures what counting rounds costs a change:
// "none" counts nothing, "counter" wraps the acceptors in a RoundCounter,
// "tracer" enables a tracer, which makes the proposer build every event
// (what counting cost before the RoundCounter stopped being one).
// MemAcceptors keep the network out of the figure.
func BenchmarkRoundCounter(b *testing.B) {
	setups := map[string]func(paxos.Config) (paxos.Config, paxos.Tracer){
		"none":    func(c paxos.Config) (paxos.Config, paxos.Tracer) { return c, nil },
		"counter": func(c paxos.Config) (paxos.Config, paxos.Tracer) { return (&RoundCounter{}).Count(c), nil },
		"tracer":  func(c paxos.Config) (paxos.Config, paxos.Tracer) { return c, benchListener{} },
	}
	for name, setup := range setups {
		b.Run(name, func(b *testing.B) {
			accs := []paxos.Acceptor{paxos.NewMemAcceptor("a1"), paxos.NewMemAcceptor("a2"), paxos.NewMemAcceptor("a3")}
			cfg, tracer := setup(paxos.Majority(accs...))
			p, err := paxos.NewProposer(paxos.Options{ID: "p1", Config: cfg, OneRTT: true, Tracer: tracer})
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

// benchListener is an enabled tracer that drops every event.
type benchListener struct{}

func (benchListener) Enabled() bool     { return true }
func (benchListener) Trace(paxos.Event) {}
