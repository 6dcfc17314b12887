//go:build unix && !linux

package cluster

import "syscall"

// procAttr keeps a process node in its own process group. Outside Linux
// there is no parent-death signal: Close, or `gryadka down`, stops it.
func procAttr(detach bool) *syscall.SysProcAttr {
	if detach {
		return &syscall.SysProcAttr{Setsid: true}
	}
	return &syscall.SysProcAttr{Setpgid: true}
}
