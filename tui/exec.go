package tui

import (
	"context"
	"errors"
	"fmt"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/gryadka/gryadka/kv"
)

// maxExecMessages bounds the messages one command line may lead to.
const maxExecMessages = 64

// Executor runs lines of the dashboard's command language without a
// terminal, through the same parser and actions as the command line. It
// keeps what the commands leave behind, such as a started workload or an
// added proposer, from one line to the next. It is not safe for
// concurrent use.
type Executor struct{ m *Model }

// NewExecutor returns an executor acting on env. ctx bounds every action
// it starts, including a workload that outlives the line starting it. On an
// attached cluster, the line itself counts as the confirmation the
// dashboard would ask for.
func NewExecutor(ctx context.Context, env Env) *Executor {
	return &Executor{m: New(ctx, env, nil)}
}

// Exec runs one command line and returns what the dashboard would report
// in its status line. A malformed line is answered with an error that says
// what was expected (IsUsage).
func (e *Executor) Exec(line string) (string, error) {
	wait, err := e.Start(line)
	if err != nil {
		return "", err
	}
	return wait()
}

// Start parses one command line and prepares its action; wait runs it and
// returns what Exec would. The wait of a key-value command (get, set, cas,
// incr, del, change) touches nothing of the executor, so it may run in the
// background while other lines run; any other wait must return before the
// next line starts.
func (e *Executor) Start(line string) (wait func() (string, error), err error) {
	c, err := parseCommand(line)
	if err != nil {
		return nil, err
	}
	msg := commandMsg{Cmd: c, Line: strings.TrimSpace(line)}
	first := e.m.run(msg)
	if e.m.confirm != nil {
		e.m.confirm = nil
		first = e.m.do(msg)
	}
	return func() (string, error) { return e.drive(first) }, nil
}

// IsUsage reports whether err says a command line is malformed or names
// no command, rather than that its action failed.
func IsUsage(err error) bool { return errors.Is(err, errUsage) }

// drive runs a command and every message it leads to, as a tea.Program
// would, and collects what the status line would show.
func (e *Executor) drive(first tea.Cmd) (string, error) {
	var out []string
	queue := []tea.Cmd{first}
	for n := 0; len(queue) > 0 && n < maxExecMessages; n++ {
		cmd := queue[0]
		queue = queue[1:]
		if cmd == nil {
			continue
		}
		switch msg := cmd().(type) {
		case nil, tea.QuitMsg, snapshotMsg, keysMsg:
		case tea.BatchMsg:
			queue = append(queue, msg...)
		case resultMsg:
			if msg.Err != nil {
				return strings.Join(out, "\n"), msg.Err
			}
			out = append(out, msg.Text)
		case inspectMsg:
			out = append(out, inspectText(msg))
		default:
			_, next := e.m.Update(msg)
			queue = append(queue, next)
		}
	}
	if e.m.showHelp {
		out = append(out, e.helpText())
		e.m.showHelp, e.m.helpTopic = false, ""
	}
	return strings.Join(out, "\n"), nil
}

// Use makes the proposer called name ("p2") run the key-value commands
// that follow.
func (e *Executor) Use(name string) error {
	var names []string
	for i, cl := range e.m.env.Clients {
		id := shortProposer(cl.Proposer.ID())
		if id == name {
			e.m.proposer = i
			return nil
		}
		names = append(names, id)
	}
	return fmt.Errorf("%w: there is no proposer %q; the proposers are %s", ErrUnavailable, name, strings.Join(names, ", "))
}

// Clients returns the proposers, with any that proposer add started.
func (e *Executor) Clients() []Client { return e.m.env.Clients }

// Close stops a workload left running by load start.
func (e *Executor) Close() {
	if e.m.work != nil {
		e.m.work.stop()
		e.m.work = nil
	}
}

// helpText explains the command asked for by help, or lists them all.
func (e *Executor) helpText() string {
	if s := findSpec(e.m.helpTopic); s != nil {
		return fmt.Sprintf("%s: %s; for example  %s", s.usage, s.summary, s.example)
	}
	var b strings.Builder
	for _, s := range commandSpecs() {
		fmt.Fprintf(&b, "%-36s %s\n", s.usage, s.summary)
	}
	return strings.TrimRight(b.String(), "\n")
}

// inspectText shows each node's state of a key, one line a node.
func inspectText(msg inspectMsg) string {
	lines := make([]string, 0, len(msg.States))
	for _, s := range msg.States {
		if s.Err != nil {
			lines = append(lines, fmt.Sprintf("%s: %v", s.Node, s.Err))
			continue
		}
		value := "nothing accepted"
		if !s.State.Accepted.IsZero() {
			value = "accepted " + shortBallot(s.State.Accepted) + " = " + entryText(s.State.Value)
		}
		lines = append(lines, fmt.Sprintf("%s: %s promised %s, %s", s.Node, msg.Key, shortBallot(s.State.Promise), value))
	}
	return strings.Join(lines, "\n")
}

// entryText shows a stored value as the key-value store reads it.
func entryText(state []byte) string {
	e, err := kv.Decode(state)
	if err != nil {
		return fmt.Sprintf("%q", state)
	}
	return e.String()
}
