package cluster

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/gryadka/gryadka/paxos"
)

// nodeTestKinds returns the local kinds to test: embedded always, process
// when redis-server is installed (and always under CI).
func nodeTestKinds(t *testing.T) []NodeKind {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("redis-server is required under CI: %v", err)
		}
		t.Logf("redis-server not found: testing the embedded backend only")
		return []NodeKind{KindEmbedded}
	}
	return []NodeKind{KindEmbedded, KindProcess}
}

// nodeNeedRedisServer skips a process-only test without redis-server,
// except under CI where it fails.
func nodeNeedRedisServer(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("redis-server is required under CI: %v", err)
		}
		t.Skipf("redis-server not found: %v", err)
	}
}

// nodeTestStart starts a node of kind named a1, closed when the test ends,
// and fails the test if goroutines are left once everything is closed.
func nodeTestStart(t *testing.T, kind NodeKind, tracer paxos.Tracer) *Node {
	t.Helper()
	ignore := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, ignore) })
	n, err := NewNode(NodeOptions{Name: "a1", Kind: kind, Dir: filepath.Join(t.TempDir(), "a1"), Tracer: tracer})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = n.Close() })
	if err := n.Start(nodeTestContext(t)); err != nil {
		t.Fatal(err)
	}
	return n
}

// nodeTestDial connects a RedisAcceptor to n, requiring identity when set.
func nodeTestDial(t *testing.T, n *Node, identity string) *RedisAcceptor {
	t.Helper()
	a, err := DialAcceptor(nodeTestContext(t), AcceptorOptions{
		Endpoint:   Endpoint{Name: n.Name(), Addr: n.Addr()},
		Identity:   identity,
		Timeout:    10 * time.Second,
		InMemoryOK: n.Kind() == KindEmbedded,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close() })
	return a
}

func nodeTestContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// nodeEvents records the node events it is given.
type nodeEvents struct {
	mu     sync.Mutex
	states []NodeState
}

func (r *nodeEvents) Enabled() bool { return true }

func (r *nodeEvents) Trace(e paxos.Event) {
	if e, ok := e.(NodeStateChanged); ok {
		r.mu.Lock()
		r.states = append(r.states, e.State)
		r.mu.Unlock()
	}
}

func (r *nodeEvents) list() []NodeState {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]NodeState(nil), r.states...)
}
