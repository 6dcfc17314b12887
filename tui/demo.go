package tui

import (
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// Demo is a guided demo the dashboard narrates in its own panel, paced by
// the learner. Package demos implements it. Play is called from tea.Cmds,
// one call at a time, never from Update.
type Demo interface {
	// Title and Summary introduce the demo.
	Title() string
	Summary() string
	// Steps returns how many steps the demo has.
	Steps() int
	// Play runs one part of a step (a step is cut after each question to
	// the learner) and returns what it showed.
	Play(step, part int) DemoPart
}

// DemoPart is what one part of a step of a demo showed.
type DemoPart struct {
	Step, Part int
	// Title is the step's title.
	Title string
	// Text is the narration, the commands run with their results, and
	// the checkpoints passed, one line each.
	Text string
	// Question, when not empty, waits for the learner's prediction before
	// the rest of the step runs; Answer is the right one, "yes" or "no".
	Question, Answer string
	// Err is the statement or checkpoint that failed, naming its line.
	Err error
}

// demoPartMsg carries a part of a step that finished playing.
type demoPartMsg struct{ Part DemoPart }

// playCmd plays a part of a step off the UI goroutine.
func playCmd(d Demo, step, part int) tea.Cmd {
	return func() tea.Msg { return demoPartMsg{Part: d.Play(step, part)} }
}

// demoKeys are the demo panel's bindings: they do not clash with the
// dashboard's, so the command line and every panel stay usable.
type demoKeys struct {
	Next   key.Binding
	Back   key.Binding
	Replay key.Binding
	Yes    key.Binding
	No     key.Binding
}

func defaultDemoKeys() demoKeys {
	b := func(k, desc string) key.Binding { return key.NewBinding(key.WithKeys(k), key.WithHelp(k, desc)) }
	return demoKeys{Next: b("N", "next step"), Back: b("B", "back"), Replay: b("A", "replay step"),
		Yes: b("y", "predict yes"), No: b("n", "predict no")}
}

// demoHeight is the outer height of the demo panel on an h-line terminal:
// a quarter of it, so the dashboard keeps its wide layout on a large one.
func demoHeight(h int) int { return clamp(h/4, 7, 12) }
