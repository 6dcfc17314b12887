package cluster

import (
	"context"
	"testing"

	"github.com/alicebob/miniredis/v2"

	"github.com/gryadka/gryadka/paxos"
)

// BenchmarkRedisAcceptor measures one call of each kind, one at a time,
// on an embedded miniredis and on a real redis-server (no persistence).
// ping is the floor: one EVALSHA of a script that does nothing.
func BenchmarkRedisAcceptor(b *testing.B) {
	backends := map[string]func(b *testing.B) string{
		"miniredis":    func(b *testing.B) string { return miniredis.RunT(b).Addr() },
		"redis-server": func(b *testing.B) string { return accTestRedisServer(b) },
	}
	for name, start := range backends {
		b.Run(name, func(b *testing.B) {
			a := accTestDial(b, start(b), nil)
			ctx := context.Background()
			value := []byte("a value of about forty bytes, give or take")
			b.Run("prepare", func(b *testing.B) {
				b.ReportAllocs()
				var n uint64
				for b.Loop() {
					n++
					if _, err := a.Prepare(ctx, "bench/prepare", paxos.Ballot{Counter: n, Proposer: "p1"}); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("accept", func(b *testing.B) {
				b.ReportAllocs()
				var n uint64
				for b.Loop() {
					n++
					err := a.Accept(ctx, "bench/accept", paxos.Ballot{Counter: n, Proposer: "p1"}, value, paxos.Ballot{Counter: n + 1, Proposer: "p1"})
					if err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("ping", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := a.Ping(ctx); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}
