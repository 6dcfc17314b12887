package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/gryadka/gryadka/trace"
)

// maxLogLines bounds the log panel's history.
const maxLogLines = 2000

// logEntry is a trace record, or a line about a user action.
type logEntry struct {
	rec  trace.Record
	text string // set for user actions
	err  bool
}

// logPanel shows every trace record as one line (trace.Format), and the
// outcome of the user's actions. Records are formatted only when shown.
type logPanel struct {
	st   Styles
	keys KeyMap
	w, h int

	entries *ring[logEntry]
	offset  int // lines scrolled back from the newest
	frozen  bool
	dropped uint64
}

var _ panel = (*logPanel)(nil)

func newLogPanel(st Styles, keys KeyMap) *logPanel {
	return &logPanel{st: st, keys: keys, entries: newRing[logEntry](maxLogLines)}
}

// SetSize implements panel.
func (p *logPanel) SetSize(w, h int) { p.w, p.h = w, h }

// Update implements panel.
func (p *logPanel) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case traceBatchMsg:
		p.dropped = msg.Dropped
		for _, r := range msg.Records {
			p.push(logEntry{rec: r})
		}
	case resultMsg:
		if msg.Err != nil {
			p.push(logEntry{text: "» " + msg.Err.Error(), err: true})
		} else if msg.Text != "" {
			p.push(logEntry{text: "» " + msg.Text})
		}
	case tea.KeyMsg:
		p.key(msg)
	}
	return nil
}

func (p *logPanel) push(e logEntry) {
	p.entries.push(e)
	if p.frozen {
		p.offset = min(p.offset+1, p.entries.len())
	}
}

func (p *logPanel) key(msg tea.KeyMsg) {
	page := max(p.h-1, 1)
	switch {
	case key.Matches(msg, p.keys.Freeze):
		p.frozen = !p.frozen
		if !p.frozen {
			p.offset = 0
		}
	case key.Matches(msg, p.keys.Bottom):
		p.offset, p.frozen = 0, false
	default:
		if n, ok := scrollDelta(p.keys, msg, page); ok {
			p.scroll(n)
		}
	}
}

func (p *logPanel) scroll(n int) {
	p.offset = clamp(p.offset+n, 0, max(p.entries.len()-max(p.h-1, 1), 0))
	p.frozen = p.offset > 0
}

// View implements panel.
func (p *logPanel) View() string {
	if p.w <= 0 || p.h <= 0 {
		return ""
	}
	body := max(p.h-1, 0)
	end := p.entries.len() - p.offset
	start := max(end-body, 0)
	lines := make([]string, 0, p.h)
	lines = append(lines, p.status())
	for i := start; i < end; i++ {
		e := p.entries.at(i)
		switch {
		case e.text != "" && e.err:
			lines = append(lines, p.st.StatusErr.Render(e.text))
		case e.text != "":
			lines = append(lines, p.st.StatusOK.Render(e.text))
		default:
			lines = append(lines, p.st.Text.Render(trace.Format(e.rec)))
		}
	}
	return fit(strings.Join(lines, "\n"), p.w, p.h)
}

func (p *logPanel) status() string {
	s := fmt.Sprintf("%d lines", p.entries.len())
	if p.frozen {
		s = p.st.Warn.Render(fmt.Sprintf("⏸ paused, %d lines back (space resumes)", p.offset))
	}
	if p.dropped > 0 {
		s += " · " + p.st.Warn.Render(fmt.Sprintf("%d events not shown: the dashboard fell behind", p.dropped))
	}
	return p.st.Muted.Render(s)
}

// ShortHelp implements help.KeyMap.
func (p *logPanel) ShortHelp() []key.Binding {
	return []key.Binding{p.keys.Freeze, p.keys.Up, p.keys.Down, p.keys.Bottom}
}

// FullHelp implements help.KeyMap.
func (p *logPanel) FullHelp() [][]key.Binding {
	return [][]key.Binding{{p.keys.Freeze, p.keys.Up, p.keys.Down, p.keys.PageUp, p.keys.PageDown, p.keys.Top, p.keys.Bottom}}
}
