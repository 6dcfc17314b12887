package cluster

import "syscall"

// procAttr keeps a process node in its own process group, so a Ctrl-C at
// the terminal reaches us and not it, and has Linux kill it when we die
// (also on a crash or SIGKILL): no orphan redis-server is left. A detached
// node gets its own session and outlives us.
//
// Pdeathsig fires when the thread that started the child exits; the Go
// runtime only ends threads locked with runtime.LockOSThread, which this
// package never does.
func procAttr(detach bool) *syscall.SysProcAttr {
	if detach {
		return &syscall.SysProcAttr{Setsid: true}
	}
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
