package paxos_test

import (
	"context"
	"testing"

	"github.com/gryadka/gryadka/paxos"
)

// BenchmarkChange measures one change of one key on three MemAcceptors,
// so it shows the proposer's own cost: goroutines, channels, copies.
func BenchmarkChange(b *testing.B) {
	for name, oneRTT := range map[string]bool{"2rtt": false, "1rtt": true} {
		b.Run(name, func(b *testing.B) {
			p := newProposer(b, paxos.Majority(asAcceptors(memAcceptors(3))...), paxos.Options{OneRTT: oneRTT})
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := p.Change(ctx, "k", incr); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
