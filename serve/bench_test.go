package serve

import (
	"os"
	"os/exec"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gryadka/gryadka/cluster"
)

// BenchmarkServer_Incr measures increments over HTTP through one server to
// three nodes, from 16 clients on keys of their own. The embedded nodes
// run their Lua in this process, so their cost is counted too; the
// process nodes are redis-server.
func BenchmarkServer_Incr(b *testing.B) {
	for _, backend := range []cluster.NodeKind{cluster.KindEmbedded, cluster.KindProcess} {
		for _, rtt := range []string{"1rtt", "2rtt"} {
			b.Run(string(backend)+"/"+rtt, func(b *testing.B) {
				benchIncr(b, envOptions{backend: string(backend), oneRTT: rtt == "1rtt", round: 5 * time.Second})
			})
		}
	}
}

func benchIncr(b *testing.B, o envOptions) {
	if _, err := exec.LookPath("redis-server"); err != nil && o.backend == string(cluster.KindProcess) {
		if os.Getenv("CI") == "true" {
			b.Fatal("redis-server is not installed")
		}
		b.Skip("redis-server is not installed")
	}
	env := startEnv(b, o)
	ctx := testCtx(b)
	var next atomic.Int64
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		key := "k" + strconv.FormatInt(next.Add(1), 10)
		for pb.Next() {
			if _, err := env.client.Incr(ctx, key, 1); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
