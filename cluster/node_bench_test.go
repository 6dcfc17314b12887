package cluster

import (
	"context"
	"os/exec"
	"path/filepath"
	"testing"
)

func nodeBenchKinds(b *testing.B) []NodeKind {
	if _, err := exec.LookPath("redis-server"); err != nil {
		return []NodeKind{KindEmbedded}
	}
	return []NodeKind{KindEmbedded, KindProcess}
}

// BenchmarkStartLocal measures starting and closing a three-node cluster,
// identities joined: the wait before a dashboard can show anything.
func BenchmarkStartLocal(b *testing.B) {
	for _, kind := range nodeBenchKinds(b) {
		b.Run(string(kind), func(b *testing.B) {
			for b.Loop() {
				l, err := StartLocal(context.Background(), LocalOptions{Backend: string(kind)})
				if err != nil {
					b.Fatal(err)
				}
				if err := l.Close(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkNode_Restart measures a crash and restart of one node, until it
// answers again.
func BenchmarkNode_Restart(b *testing.B) {
	for _, kind := range nodeBenchKinds(b) {
		b.Run(string(kind), func(b *testing.B) {
			n, err := NewNode(NodeOptions{Name: "a1", Kind: kind, Dir: filepath.Join(b.TempDir(), "a1")})
			if err != nil {
				b.Fatal(err)
			}
			defer n.Close()
			ctx := context.Background()
			if err := n.Start(ctx); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if err := n.Restart(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
