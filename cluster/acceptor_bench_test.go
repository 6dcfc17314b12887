package cluster

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/alicebob/miniredis/v2"

	"github.com/gryadka/gryadka/paxos"
)

// BenchmarkRedisAcceptor measures one call of each kind, one at a time,
// on an embedded miniredis and on a real redis-server (no persistence).
// accept-parallel runs 16 clients per CPU on their own keys through the
// pool. ping is the floor: one EVALSHA of a script that does nothing.
func BenchmarkRedisAcceptor(b *testing.B) {
	backends := map[string]func(b *testing.B) string{
		"miniredis":    func(b *testing.B) string { return miniredis.RunT(b).Addr() },
		"redis-server": func(b *testing.B) string { return accTestRedisServer(b) },
	}
	for name, start := range backends {
		b.Run(name, func(b *testing.B) {
			a := accTestDial(b, start(b), nil)
			b.SetParallelism(16)
			// Bodies run several times (rounds, -count): never reuse a
			// ballot or a key.
			var counter atomic.Uint64
			var client atomic.Int64
			ctx := context.Background()
			value := []byte("a value of about forty bytes, give or take")
			b.Run("prepare", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := a.Prepare(ctx, "bench/prepare", paxos.Ballot{Counter: counter.Add(1), Proposer: "p1"}); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("accept", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					n := counter.Add(2)
					err := a.Accept(ctx, "bench/accept", paxos.Ballot{Counter: n, Proposer: "p1"}, value, paxos.Ballot{Counter: n + 1, Proposer: "p1"})
					if err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("accept-parallel", func(b *testing.B) {
				b.ReportAllocs()
				b.RunParallel(func(pb *testing.PB) {
					key := fmt.Sprint("bench/parallel/", client.Add(1))
					var n uint64
					for pb.Next() {
						n++
						if err := a.Accept(ctx, key, paxos.Ballot{Counter: n, Proposer: "p1"}, value, paxos.Ballot{}); err != nil {
							b.Fatal(err)
						}
					}
				})
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
