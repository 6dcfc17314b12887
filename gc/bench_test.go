package gc

import (
	"context"
	"os/exec"
	"strconv"
	"testing"
)

// BenchmarkCollector_CollectKey measures one key's four steps on three
// nodes, with the key written and deleted outside the timer.
func BenchmarkCollector_CollectKey(b *testing.B) {
	for _, kind := range []string{"embedded", "process"} {
		b.Run(kind, func(b *testing.B) {
			if _, err := exec.LookPath("redis-server"); err != nil && kind == "process" {
				b.Skip("redis-server not installed")
			}
			be := localBackend(b, kind)
			p1 := newProposer(b, "p1", be.dial(b, "p1", nil), true)
			s := store(p1)
			c := newCollector(b, be, Local{p1}, nil)
			ctx := context.Background()
			for i := 0; b.Loop(); i++ {
				b.StopTimer()
				key := "k" + strconv.Itoa(i)
				mustSet(b, s, key, i)
				mustDelete(b, s, key)
				b.StartTimer()
				if res, err := c.CollectKey(ctx, key); err != nil || !res.Done() {
					b.Fatalf("collect %s: %+v, %v", key, res, err)
				}
			}
		})
	}
}
