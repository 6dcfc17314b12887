package tui

import (
	"context"
	"reflect"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
)

// driver runs a Model the way a tea.Program would, synchronously: each
// message goes to Update, each returned command runs, and its message is
// fed back, until nothing is left.
type driver struct {
	t    testing.TB
	m    *Model
	seen []tea.Msg
	quit bool
}

func newDriver(t testing.TB, env Env, w, h int) *driver {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	m := New(ctx, env, nil)
	m.manualTicks = true
	d := &driver{t: t, m: m}
	t.Cleanup(func() {
		if m.work != nil {
			m.work.stop()
		}
		cancel()
	})
	d.send(m.Init())
	d.msg(tea.WindowSizeMsg{Width: w, Height: h})
	return d
}

// msg delivers one message and everything it leads to.
func (d *driver) msg(msg tea.Msg) {
	d.t.Helper()
	queue := []tea.Msg{msg}
	for len(queue) > 0 && len(d.seen) < 10000 {
		msg, queue = queue[0], queue[1:]
		d.seen = append(d.seen, msg)
		switch msg := msg.(type) {
		case nil:
			continue
		case tea.QuitMsg:
			d.quit = true
			continue
		case tea.BatchMsg:
			for _, c := range msg {
				queue = append(queue, d.run(c))
			}
			continue
		}
		_, cmd := d.m.Update(msg)
		queue = append(queue, d.run(cmd))
	}
}

// send runs a command and delivers its message.
func (d *driver) send(cmd tea.Cmd) { d.t.Helper(); d.msg(d.run(cmd)) }

func (d *driver) run(cmd tea.Cmd) tea.Msg {
	d.t.Helper()
	if cmd == nil {
		return nil
	}
	out := make(chan tea.Msg, 1)
	go func() { out <- cmd() }()
	select {
	case msg := <-out:
		return msg
	case <-time.After(10 * time.Second):
		d.t.Fatalf("a command did not return: %v", reflect.TypeOf(cmd))
		return nil
	}
}

// keys types each string as key presses; "enter", "esc", "tab", "up",
// "down" and "ctrl+c" are the keys of those names.
func (d *driver) keys(keys ...string) {
	d.t.Helper()
	for _, k := range keys {
		d.msg(keyMsg(k))
	}
}

// command types a command line and runs it.
func (d *driver) command(line string) {
	d.t.Helper()
	d.keys(":")
	for _, r := range line {
		d.msg(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
	d.keys("enter")
}

func keyMsg(k string) tea.KeyMsg {
	switch k {
	case "enter":
		return tea.KeyMsg{Type: tea.KeyEnter}
	case "esc":
		return tea.KeyMsg{Type: tea.KeyEsc}
	case "tab":
		return tea.KeyMsg{Type: tea.KeyTab}
	case "up":
		return tea.KeyMsg{Type: tea.KeyUp}
	case "down":
		return tea.KeyMsg{Type: tea.KeyDown}
	case "ctrl+c":
		return tea.KeyMsg{Type: tea.KeyCtrlC}
	case " ":
		return tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
}

// traced delivers what the proposers traced since the last call.
func (d *driver) traced(te *testEnv, from *int) {
	d.t.Helper()
	recs := te.col.Records()
	d.msg(traceBatchMsg{Records: recs[*from:]})
	*from = len(recs)
}
