package cluster

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

func TestProcessNode_SafeConfiguration(t *testing.T) {
	nodeNeedRedisServer(t)
	n := nodeTestStart(t, KindProcess, nil)
	a := nodeTestDial(t, n, "")
	if w := a.Warnings(); len(w) > 0 {
		t.Fatalf("a process node is not a safe acceptor: %v", w)
	}
	rdb := redis.NewClient(&redis.Options{Addr: n.Addr()})
	defer rdb.Close()
	ctx := nodeTestContext(t)
	for key, want := range map[string]string{
		"appendonly": "yes", "appendfsync": "always", "maxmemory-policy": "noeviction",
		"bind": "127.0.0.1", "protected-mode": "yes", "dir": n.Dir(),
	} {
		have, err := rdb.ConfigGet(ctx, key).Result()
		if err != nil {
			t.Fatal(err)
		}
		if have[key] != want {
			t.Errorf("%s: want %q, have %q", key, want, have[key])
		}
	}
	if _, err := os.Stat(filepath.Join(n.Dir(), processLog)); err != nil {
		t.Fatalf("the node's log is not kept in its directory: %v", err)
	}
}

func TestProcessNode_ExitOnItsOwnIsDown(t *testing.T) {
	nodeNeedRedisServer(t)
	events := &nodeEvents{}
	n := nodeTestStart(t, KindProcess, events)
	if err := syscall.Kill(n.PID(), syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	for n.State() != NodeDown {
		select {
		case <-nodeTestContext(t).Done():
			t.Fatal("a node whose process died is not marked down")
		case <-time.After(10 * time.Millisecond):
		}
	}
	if err := n.Start(nodeTestContext(t)); err != nil {
		t.Fatal(err)
	}
	if err := PingAddr(nodeTestContext(t), n.Addr()); err != nil {
		t.Fatal(err)
	}
}

// TestNodeHelperProcess is not a test: the orphan tests run the test
// binary again with GRYADKA_NODE_HELPER set, and this starts a process node
// in the child, prints its pid and address, then ends the way asked.
func TestNodeHelperProcess(t *testing.T) {
	mode := os.Getenv("GRYADKA_NODE_HELPER")
	if mode == "" {
		t.Skip("helper for the orphan tests")
	}
	n := nodeTestStart(t, KindProcess, nil)
	fmt.Printf("node %d %s\n", n.PID(), n.Addr())
	switch mode {
	case "fail":
		t.Fatal("failing on purpose")
	case "exit":
		os.Exit(3)
	case "wait":
		time.Sleep(time.Minute)
	}
}

func TestProcessNode_NoOrphans(t *testing.T) {
	nodeNeedRedisServer(t)
	for name, tc := range map[string]struct {
		mode   string
		signal os.Signal
	}{
		"failing test": {mode: "fail"},
		"exit":         {mode: "exit"},
		"SIGINT":       {mode: "wait", signal: os.Interrupt},
		"SIGKILL":      {mode: "wait", signal: os.Kill},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command(os.Args[0], "-test.run=^TestNodeHelperProcess$", "-test.count=1")
			cmd.Env = append(os.Environ(), "GRYADKA_NODE_HELPER="+tc.mode)
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			var pid int
			var addr string
			lines := bufio.NewScanner(out)
			for lines.Scan() {
				if _, err := fmt.Sscanf(lines.Text(), "node %d %s", &pid, &addr); err == nil {
					break
				}
			}
			if pid == 0 {
				_ = cmd.Process.Kill()
				_ = cmd.Wait()
				t.Fatal("the helper did not start a node")
			}
			if tc.signal != nil {
				if err := cmd.Process.Signal(tc.signal); err != nil {
					t.Fatal(err)
				}
			}
			go func() { _, _ = bufio.NewReader(out).WriteTo(devNull{}) }()
			if err := cmd.Wait(); err == nil {
				t.Fatal("the helper was meant to fail, and it passed")
			}
			deadline := time.Now().Add(10 * time.Second)
			for !processGone(pid) || PingAddr(nodeTestContext(t), addr) == nil {
				if time.Now().After(deadline) {
					_ = syscall.Kill(pid, syscall.SIGKILL)
					t.Fatalf("redis-server %d on %s outlived its parent", pid, addr)
				}
				time.Sleep(20 * time.Millisecond)
			}
		})
	}
}

type devNull struct{}

func (devNull) Write(b []byte) (int, error) { return len(b), nil }

func TestStopProcess_StopsOnlyItsOwnProcess(t *testing.T) {
	nodeNeedRedisServer(t)
	n, err := NewNode(NodeOptions{Name: "a1", Kind: KindProcess, Dir: t.TempDir(), Detach: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = n.Close() })
	ctx := nodeTestContext(t)
	if err := n.Start(ctx); err != nil {
		t.Fatal(err)
	}
	pid, addr := n.PID(), n.Addr()
	if err := StopProcess(ctx, "a1", addr, pid+1); !errors.Is(err, ErrNotOurs) {
		t.Fatalf("another pid: want ErrNotOurs, have %v", err)
	}
	if processGone(pid) {
		t.Fatal("a process that is not ours was stopped")
	}
	if err := StopProcess(ctx, "a1", addr, pid); err != nil {
		t.Fatal(err)
	}
	if !processGone(pid) {
		t.Fatalf("the node still runs as pid %d", pid)
	}
	if err := CheckProcess(ctx, "a1", addr, pid); !errors.Is(err, ErrNotRunning) {
		t.Fatalf("after the stop: want nothing answering on %s, have %v", addr, err)
	}
	if err := StopProcess(ctx, "a1", addr, pid); !errors.Is(err, ErrNotRunning) {
		t.Fatalf("stopped node: want ErrNotRunning, have %v", err)
	}
}

func TestProcessNode_TakenPortIsNotMistakenForOurs(t *testing.T) {
	nodeNeedRedisServer(t)
	first := nodeTestStart(t, KindProcess, nil)
	_, port, err := net.SplitHostPort(first.Addr())
	if err != nil {
		t.Fatal(err)
	}
	p, err := strconv.Atoi(port)
	if err != nil {
		t.Fatal(err)
	}
	second, err := NewNode(NodeOptions{Name: "a2", Kind: KindProcess, Dir: t.TempDir(), Port: p})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = second.Close() })
	err = second.Start(nodeTestContext(t))
	if !errors.Is(err, errExitedAtStart) {
		t.Fatalf("start on a taken port: want errExitedAtStart, have %v", err)
	}
	if want, have := NodeDown, second.State(); want != have {
		t.Fatalf("state: want %v, have %v", want, have)
	}
}
