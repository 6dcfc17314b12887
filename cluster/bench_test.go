package cluster

import (
	"context"
	"fmt"
	"strconv"
	"testing"

	"github.com/alicebob/miniredis/v2"

	"github.com/gryadka/gryadka/paxos"
)

// BenchmarkChange measures one change of one key, one at a time, through a
// proposer and three local Redis acceptors: embedded miniredis, real
// redis-server without persistence, and real redis-server with
// appendfsync always (what a process node runs). 1rtt skips the prepare
// phase after the first change; 2rtt prepares every time.
func BenchmarkChange(b *testing.B) {
	backends := map[string]func(b *testing.B) string{
		"miniredis":    func(b *testing.B) string { return miniredis.RunT(b).Addr() },
		"redis-server": func(b *testing.B) string { return accTestRedisServer(b) },
		"redis-server-fsync": func(b *testing.B) string {
			return accTestRedisServer(b, "--appendonly", "yes", "--appendfsync", "always")
		},
	}
	for name, start := range backends {
		b.Run(name, func(b *testing.B) {
			accs := make([]paxos.Acceptor, 3)
			for i := range accs {
				accs[i] = accTestDial(b, start(b), func(o *AcceptorOptions) { o.Endpoint.Name = fmt.Sprintf("a%d", i+1) })
			}
			for _, oneRTT := range []bool{true, false} {
				mode := map[bool]string{true: "1rtt", false: "2rtt"}[oneRTT]
				// One proposer for every run of the sub-benchmark (-count,
				// calibration): a new one would start below the ballots
				// the last one left.
				p, err := paxos.NewProposer(paxos.Options{ID: "bench", Config: paxos.Majority(accs...), OneRTT: oneRTT})
				if err != nil {
					b.Fatal(err)
				}
				b.Run(mode, func(b *testing.B) {
					ctx := context.Background()
					key := "bench/change/" + mode
					b.ReportAllocs()
					for b.Loop() {
						if _, err := p.Change(ctx, key, benchIncrement); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		})
	}
}

// benchIncrement reads the state as a decimal counter and adds one.
func benchIncrement(state []byte) ([]byte, error) {
	n := 0
	if state != nil {
		var err error
		if n, err = strconv.Atoi(string(state)); err != nil {
			return nil, err
		}
	}
	return strconv.AppendInt(nil, int64(n+1), 10), nil
}
