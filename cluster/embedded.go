package cluster

import (
	"context"
	"fmt"
	"sync"

	"github.com/alicebob/miniredis/v2"
	"github.com/alicebob/miniredis/v2/server"
)

// embedded runs a node as an in-process miniredis on 127.0.0.1. Its data
// lives in memory and survives kill and restart (not the end of this
// program). Pause holds every command in a hook that runs before the
// command, so requests hang and execute late, as with a stopped process.
type embedded struct {
	port int
	m    *miniredis.Miniredis

	mu   sync.Mutex
	held chan struct{} // open while paused; closed to let commands go
	drop bool          // while killing: held commands are lost, not run
}

func newEmbedded(opts NodeOptions) *embedded {
	return &embedded{port: opts.Port, m: miniredis.NewMiniRedis()}
}

func (e *embedded) start(_ context.Context, _ func()) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.m.StartAddr(fmt.Sprintf("127.0.0.1:%d", e.port)); err != nil {
		return fmt.Errorf("listen on 127.0.0.1:%d: %w", e.port, err)
	}
	e.port = e.m.Server().Addr().Port
	e.m.Server().SetPreHook(e.hook)
	e.drop, e.held = false, nil
	return nil
}

// hook runs before each command; returning true skips the command.
func (e *embedded) hook(_ *server.Peer, _ string, _ ...string) bool {
	e.mu.Lock()
	held := e.held
	e.mu.Unlock()
	if held != nil {
		<-held
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.drop
}

func (e *embedded) kill() error {
	e.mu.Lock()
	e.drop = true
	if e.held != nil {
		close(e.held)
		e.held = nil
	}
	e.mu.Unlock()
	// Close drops every connection and waits for their goroutines, which
	// the released hooks let finish without running their commands.
	e.m.Close()
	return nil
}

func (e *embedded) pause() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.held = make(chan struct{})
	return nil
}

func (e *embedded) resume() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.held != nil {
		close(e.held)
		e.held = nil
	}
	return nil
}

func (e *embedded) erase() error {
	e.m.FlushAll()
	return nil
}

func (e *embedded) addr() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return fmt.Sprintf("127.0.0.1:%d", e.port)
}

func (e *embedded) pid() int { return 0 }
