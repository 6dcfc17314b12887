package cluster

import (
	"context"
	"fmt"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/gryadka/gryadka/paxos"
)

// BenchmarkMembership_Rescan measures the rescan of 1000 keys on three
// nodes: redis-server processes when installed, embedded ones otherwise.
func BenchmarkMembership_Rescan(b *testing.B) {
	const keys = 1000
	backend := "embedded"
	if _, err := exec.LookPath("redis-server"); err == nil {
		backend = "process"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	l, err := StartLocal(ctx, LocalOptions{Nodes: 3, Backend: backend})
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	p, err := l.Proposer(ctx, paxos.Options{ID: "bench"}, nil)
	if err != nil {
		b.Fatal(err)
	}
	var wg sync.WaitGroup
	for w := range 16 {
		wg.Go(func() {
			for i := w; i < keys; i += 16 {
				if _, err := p.Change(ctx, fmt.Sprintf("k%d", i), localTestSet("v")); err != nil {
					b.Error(err)
				}
			}
		})
	}
	wg.Wait()
	m, err := NewMembership(l.File(), MembershipOptions{Proposers: NewProposerSet(nil)})
	if err != nil {
		b.Fatal(err)
	}
	layout := paxos.Layout(l.File().Config)
	b.Run(fmt.Sprintf("%s/keys=%d", backend, keys), func(b *testing.B) {
		start := time.Now()
		for b.Loop() {
			if err := m.rescan(ctx, layout, MembershipStep{}); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(keys*b.N)/time.Since(start).Seconds(), "keys/s")
	})
}
