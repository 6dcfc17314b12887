package cluster

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"
)

// ErrNotRunning means no Redis answers at a node's address.
var ErrNotRunning = errors.New("cluster: node not running")

// ErrNotOurs means the Redis at a node's address is not the process the
// cluster file names: the pid or the port was reused since.
var ErrNotOurs = errors.New("cluster: the process at the node's address is not the one started for it")

// StopProcess stops the redis-server with pid that serves addr, as
// `gryadka down` does with the nodes `gryadka up` left running. It first
// asks the server at addr for its process ID and leaves it alone unless
// it is pid (ErrNotOurs), or fails with ErrNotRunning when nothing
// answers. Then it sends SIGTERM, so Redis syncs its append-only file and
// exits, and waits until the process is gone; when ctx ends first, it
// sends SIGKILL.
func StopProcess(ctx context.Context, name, addr string, pid int) error {
	if err := CheckProcess(ctx, name, addr, pid); err != nil {
		return err
	}
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
		return fmt.Errorf("%s: stop pid %d: %w", name, pid, err)
	}
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for !processGone(pid) {
		select {
		case <-ctx.Done():
			_ = syscall.Kill(pid, syscall.SIGKILL)
			return fmt.Errorf("%s: pid %d did not stop in time, so it was killed", name, pid)
		case <-tick.C:
		}
	}
	return nil
}

// CheckProcess returns nil when the Redis answering at addr is the process
// pid, ErrNotRunning when nothing answers there, and ErrNotOurs when
// another process does.
func CheckProcess(ctx context.Context, name, addr string, pid int) error {
	if err := PingAddr(ctx, addr); err != nil {
		return fmt.Errorf("%s: %w: nothing answers on %s (%v)", name, ErrNotRunning, addr, err)
	}
	have, err := serverPID(ctx, addr)
	if err != nil {
		return fmt.Errorf("%s: asking %s for its pid: %w", name, addr, err)
	}
	if have != pid {
		return fmt.Errorf("%s: %w: %s is served by pid %d, not %d", name, ErrNotOurs, addr, have, pid)
	}
	return nil
}

// serverPID asks the Redis at addr for its process ID.
func serverPID(ctx context.Context, addr string) (int, error) {
	rdb := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, DialerRetries: 1, DialTimeout: 2 * time.Second,
		ReadTimeout: 2 * time.Second, Protocol: 2, DisableIdentity: true})
	defer rdb.Close()
	info, err := rdb.Info(ctx, "server").Result()
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "process_id:"); ok {
			return strconv.Atoi(v)
		}
	}
	return 0, errors.New("its INFO has no process_id")
}

// processGone reports whether pid has exited: it does not exist, or it is
// a zombie waiting for a reaper or being reaped right now (seen in /proc,
// where there is one).
func processGone(pid int) bool {
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		return true
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return errors.Is(err, syscall.ESRCH) || (errors.Is(err, os.ErrNotExist) && dirExists("/proc/self"))
	}
	// The state follows the command name, which is in parentheses: Z for
	// a zombie, X (x on old kernels) while its parent reaps it.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i >= 0 && i+2 < len(s) && strings.IndexByte("ZXx", s[i+2]) >= 0
}

func dirExists(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.IsDir()
}
