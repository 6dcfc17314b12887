package cluster

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// ErrNoRedisServer means the process backend cannot find redis-server.
var ErrNoRedisServer = errors.New("cluster: redis-server not found on PATH: install it (Debian: apt-get install redis-server) or use the embedded backend")

// Files a process node keeps in its data directory besides Redis's own.
const (
	processLog    = "redis.log"        // redis-server's log
	processStderr = "redis-stderr.log" // what it prints before its log opens
)

// process runs a node as a redis-server child in a data directory we own,
// configured as a safe acceptor: every write is appended and fsynced
// before the reply, nothing is ever evicted, and it listens on loopback.
type process struct {
	dir    string
	bin    string
	port   int
	detach bool
	// fixedPort is set once the port is chosen for good: given in the
	// options, or used by a successful start.
	fixedPort bool

	cmd  *exec.Cmd
	done chan struct{} // closed when the running process has exited
}

func newProcess(opts NodeOptions) (*process, error) {
	bin := opts.RedisServer
	if bin == "" {
		var err error
		if bin, err = exec.LookPath("redis-server"); err != nil {
			return nil, ErrNoRedisServer
		}
	}
	if opts.Dir == "" {
		return nil, fmt.Errorf("cluster: process node %s: no data directory given", opts.Name)
	}
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("cluster: process node %s: data directory: %w", opts.Name, err)
	}
	return &process{dir: dir, bin: bin, port: opts.Port, detach: opts.Detach, fixedPort: opts.Port != 0}, nil
}

// processArgs returns the redis-server arguments of a process node on port
// with its data in dir.
func processArgs(dir string, port int) []string {
	return []string{
		"--port", strconv.Itoa(port),
		"--bind", "127.0.0.1",
		"--protected-mode", "yes",
		"--dir", dir,
		"--appendonly", "yes",
		"--appendfsync", "always",
		"--save", "",
		"--maxmemory-policy", "noeviction",
		"--logfile", filepath.Join(dir, processLog),
		"--daemonize", "no",
	}
}

// errExitedAtStart: redis-server stopped before it answered, for example
// because another program took its port first.
var errExitedAtStart = errors.New("redis-server exited at start")

// start runs redis-server. A node without a fixed port tries up to three
// free ports on its first start; later starts reuse the port.
func (p *process) start(ctx context.Context, exited func()) error {
	for attempt := 1; ; attempt++ {
		err := p.run(ctx, exited)
		if err == nil {
			p.fixedPort = true
			return nil
		}
		if p.fixedPort || attempt == 3 || !errors.Is(err, errExitedAtStart) {
			return err
		}
		p.port = 0
	}
}

func (p *process) run(ctx context.Context, exited func()) error {
	if err := os.MkdirAll(p.dir, 0o700); err != nil {
		return fmt.Errorf("data directory: %w", err)
	}
	if p.port == 0 {
		port, err := freePort()
		if err != nil {
			return err
		}
		p.port = port
	}
	stderr, err := os.Create(filepath.Join(p.dir, processStderr))
	if err != nil {
		return fmt.Errorf("data directory: %w", err)
	}
	defer stderr.Close()
	cmd := exec.Command(p.bin, processArgs(p.dir, p.port)...)
	cmd.Dir = p.dir
	cmd.Stdout, cmd.Stderr = stderr, stderr
	cmd.SysProcAttr = procAttr(p.detach)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("run %s: %w", p.bin, err)
	}
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(done)
		exited()
	}()
	p.cmd, p.done = cmd, done
	return p.waitReady(ctx)
}

// waitReady polls until the server answers and reports our process's
// pid (not another program's, which took the port first), until it exits
// or until ctx ends.
func (p *process) waitReady(ctx context.Context) error {
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		err := PingAddr(ctx, p.addr())
		if err == nil {
			var pid int
			pid, err = serverPID(ctx, p.addr())
			if err == nil && pid == p.cmd.Process.Pid {
				return nil
			}
			if err == nil {
				err = fmt.Errorf("another process (pid %d) answers there", pid)
			}
		}
		select {
		case <-p.done:
			p.cmd = nil
			return fmt.Errorf("%w: %s", errExitedAtStart, p.logTail())
		case <-ctx.Done():
			_ = p.kill()
			return fmt.Errorf("redis-server did not answer on %s in time (%v): %s", p.addr(), err, p.logTail())
		case <-tick.C:
		}
	}
}

// logTail returns the last lines redis-server wrote, to explain a failure.
func (p *process) logTail() string {
	var lines []string
	for _, name := range []string{processStderr, processLog} {
		b, err := os.ReadFile(filepath.Join(p.dir, name))
		if err != nil {
			continue
		}
		for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			if l = strings.TrimSpace(l); l != "" {
				lines = append(lines, l)
			}
		}
	}
	if len(lines) == 0 {
		return "it wrote nothing to " + filepath.Join(p.dir, processLog)
	}
	if len(lines) > 3 {
		lines = lines[len(lines)-3:]
	}
	return strings.Join(lines, " | ")
}

func (p *process) kill() error {
	if p.cmd == nil {
		return nil
	}
	if err := p.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return err
	}
	<-p.done
	p.cmd = nil
	return nil
}

func (p *process) pause() error { return p.cmd.Process.Signal(syscall.SIGSTOP) }

func (p *process) resume() error { return p.cmd.Process.Signal(syscall.SIGCONT) }

// erase empties the data directory but keeps the logs.
func (p *process) erase() error {
	entries, err := os.ReadDir(p.dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.Name() == processLog || e.Name() == processStderr {
			continue
		}
		if err := os.RemoveAll(filepath.Join(p.dir, e.Name())); err != nil {
			return err
		}
	}
	return nil
}

func (p *process) addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(p.port)) }

func (p *process) pid() int {
	if p.cmd == nil {
		return 0
	}
	return p.cmd.Process.Pid
}

// freePort returns a loopback port nobody listens on right now.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// PingAddr sends one PING to the Redis at addr, without authentication, and
// returns nil once it answers PONG. A server still loading its data
// answers LOADING, which is an error here.
func PingAddr(ctx context.Context, addr string) error {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	if deadline, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(deadline)
	} else {
		_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	}
	if _, err := conn.Write([]byte("*1\r\n$4\r\nPING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return err
	}
	if line = strings.TrimSpace(line); line != "+PONG" {
		return fmt.Errorf("%s answered %q to PING", addr, line)
	}
	return nil
}
