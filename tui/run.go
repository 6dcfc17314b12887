// Package tui is gryadka's dashboard: a live view of CASPaxos at work on a
// cluster, with a command line to change keys, break nodes and links, and
// step through the protocol one message at a time.
package tui

import (
	"context"
	"errors"
	"io"
	"log"
	"os"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/gryadka/gryadka/trace"
)

// ErrNoBus is returned by Run when Env has no trace bus to watch.
var ErrNoBus = errors.New("tui: the dashboard needs a trace bus (Env.Bus)")

// Run shows the dashboard until the user quits or ctx is done. Logs go to
// the file named by $DEBUG (gryadka-debug.log when DEBUG is 1), never to
// the screen.
func Run(ctx context.Context, env Env) error {
	if env.Bus == nil {
		return ErrNoBus
	}
	closeLog, err := setupLog()
	if err != nil {
		return err
	}
	defer closeLog()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sub := env.Bus.Subscribe(ctx, trace.WithBuffer(traceBuffer))
	m := New(ctx, env, sub)
	final, err := tea.NewProgram(m, tea.WithAltScreen(), tea.WithContext(ctx)).Run()
	if fm, ok := final.(*Model); ok && fm.work != nil {
		fm.work.stop()
	}
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		return nil // the cluster shut down
	}
	return err
}

// setupLog sends the standard logger to a file when DEBUG is set, and
// nowhere otherwise, so nothing is printed over the dashboard.
func setupLog() (func(), error) {
	path := logPath()
	if path == "" {
		log.SetOutput(io.Discard)
		return func() {}, nil
	}
	f, err := tea.LogToFile(path, "gryadka ")
	if err != nil {
		return nil, err
	}
	return func() { f.Close() }, nil
}

// logPath is the log file named by $DEBUG, or "" for no log.
func logPath() string {
	path := os.Getenv("DEBUG")
	if path == "1" || path == "true" {
		path = "gryadka-debug.log"
	}
	return path
}
