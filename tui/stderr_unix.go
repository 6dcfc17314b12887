//go:build unix

package tui

import (
	"os"

	"golang.org/x/sys/unix"
)

// redirectStderr points file descriptor 2 at the log file (or /dev/null)
// while the dashboard runs, so libraries that write to stderr, such as a
// Redis client reporting a failed dial, never print over the screen. The
// returned function puts stderr back.
func redirectStderr(logPath string) (restore func(), err error) {
	target := os.DevNull
	if logPath != "" {
		target = logPath
	}
	f, err := os.OpenFile(target, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	saved, err := unix.Dup(2)
	if err != nil {
		return nil, err
	}
	if err := unix.Dup2(int(f.Fd()), 2); err != nil {
		unix.Close(saved)
		return nil, err
	}
	return func() {
		unix.Dup2(saved, 2)
		unix.Close(saved)
	}, nil
}
