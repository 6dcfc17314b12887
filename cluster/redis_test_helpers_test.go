package cluster

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
)

// accTestRedisServer starts a real redis-server on a free loopback port
// with its data in a temporary directory, stops it when the test ends and
// returns its address. Extra arguments override the defaults (no
// persistence). Without redis-server the test is skipped, unless CI=true.
func accTestRedisServer(t testing.TB, extra ...string) string {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("redis-server is required under CI: %v", err)
		}
		t.Skipf("redis-server not installed: %v", err)
	}
	dir := t.TempDir()
	var lastErr error
	for range 3 { // another process may take the free port first
		addr, err := accTestStartRedis(t, bin, dir, extra)
		if err == nil {
			return addr
		}
		lastErr = err
	}
	t.Fatalf("starting redis-server: %v", lastErr)
	return ""
}

func accTestStartRedis(t testing.TB, bin, dir string, extra []string) (string, error) {
	port, err := accTestFreePort()
	if err != nil {
		return "", err
	}
	args := []string{
		"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--dir", dir,
		"--save", "", "--appendonly", "no", "--daemonize", "no",
		"--logfile", filepath.Join(dir, "redis.log"),
	}
	cmd := exec.Command(bin, append(args, extra...)...)
	if err := cmd.Start(); err != nil {
		return "", err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stop := func() {
		_ = cmd.Process.Kill()
		<-exited
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	deadline := time.Now().Add(10 * time.Second)
	for {
		select {
		case err := <-exited:
			exited <- err
			log, _ := os.ReadFile(filepath.Join(dir, "redis.log"))
			return "", fmt.Errorf("redis-server exited (%v): %s", err, log)
		default:
		}
		err := accTestPing(addr)
		if err == nil {
			t.Cleanup(stop)
			return addr, nil
		}
		if time.Now().After(deadline) {
			stop()
			return "", fmt.Errorf("redis-server on %s not ready: %w", addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// accTestPing sends one PING by hand: a go-redis client would log every
// refused dial while the server starts.
func accTestPing(addr string) error {
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(time.Second))
	if _, err := conn.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	buf := make([]byte, 7)
	if _, err := io.ReadFull(conn, buf); err != nil {
		return err
	}
	if string(buf) != "+PONG\r\n" {
		return fmt.Errorf("PING answered %q", buf)
	}
	return nil
}

func accTestFreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// accTestBackends runs fn once on miniredis and once on a real
// redis-server, each in a subtest with a fresh server.
func accTestBackends(t *testing.T, fn func(t *testing.T, addr string)) {
	t.Helper()
	t.Run("miniredis", func(t *testing.T) { fn(t, miniredis.RunT(t).Addr()) })
	t.Run("redis-server", func(t *testing.T) { fn(t, accTestRedisServer(t)) })
}

// accTestDial connects an acceptor called a1 to addr, closing it when the
// test ends. edit may change the options first.
func accTestDial(t testing.TB, addr string, edit func(*AcceptorOptions)) *RedisAcceptor {
	t.Helper()
	opts := AcceptorOptions{Endpoint: Endpoint{Name: "a1", Addr: addr}, InMemoryOK: true}
	if edit != nil {
		edit(&opts)
	}
	a, err := DialAcceptor(context.Background(), opts)
	if err != nil {
		t.Fatalf("DialAcceptor: %v", err)
	}
	t.Cleanup(func() { _ = a.Close() })
	return a
}

// accTestClient is a plain client for poking at a server behind the
// acceptor's back.
func accTestClient(t testing.TB, addr string) *redis.Client {
	t.Helper()
	rdb := redis.NewClient(&redis.Options{Addr: addr, Protocol: 2, MaxRetries: -1, DisableIdentity: true})
	t.Cleanup(func() { _ = rdb.Close() })
	return rdb
}
