package tui

import (
	"fmt"
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/gryadka/gryadka/trace"
)

// maxPending bounds the records kept while the view is paused.
const maxPending = 50000

// filterMsg restricts the protocol panel to one key and/or one proposer;
// empty fields match everything.
type filterMsg struct{ Key, Proposer string }

// protocolPanel draws the rounds as a live sequence diagram, one column
// per proposer and per acceptor and one row per message, grouped by change.
type protocolPanel struct {
	st   Styles
	keys KeyMap
	w, h int

	d       *diagram
	offset  int // lines scrolled back from the newest
	frozen  bool
	pending []trace.Record // arrived while frozen
	skipped int            // arrived while frozen, beyond maxPending
	filter  filterMsg
}

var _ panel = (*protocolPanel)(nil)

func newProtocolPanel(st Styles, keys KeyMap) *protocolPanel {
	return &protocolPanel{st: st, keys: keys, d: newDiagram()}
}

// SetSize implements panel.
func (p *protocolPanel) SetSize(w, h int) { p.w, p.h = w, h }

// Update implements panel.
func (p *protocolPanel) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case traceBatchMsg:
		if !p.frozen {
			for _, r := range msg.Records {
				p.d.apply(r)
			}
			return nil
		}
		room := min(len(msg.Records), maxPending-len(p.pending))
		p.pending = append(p.pending, msg.Records[:room]...)
		p.skipped += len(msg.Records) - room
	case filterMsg:
		p.filter, p.offset = msg, 0
	case tea.KeyMsg:
		p.key(msg)
	}
	return nil
}

func (p *protocolPanel) key(msg tea.KeyMsg) {
	page := max(p.h-2, 1)
	switch {
	case key.Matches(msg, p.keys.Freeze):
		p.setFrozen(!p.frozen)
	case key.Matches(msg, p.keys.Bottom):
		p.offset = 0
		p.setFrozen(false)
	default:
		if n, ok := scrollDelta(p.keys, msg, page); ok {
			p.scroll(n)
		}
	}
}

// scroll moves the view back by n lines (forward when negative). Looking
// back pauses the view, so the lines stay still under the reader.
func (p *protocolPanel) scroll(n int) {
	p.offset = max(p.offset+n, 0)
	if n > 0 {
		p.setFrozen(true)
	}
}

func (p *protocolPanel) setFrozen(on bool) {
	p.frozen = on
	if on {
		return
	}
	for _, r := range p.pending {
		p.d.apply(r)
	}
	p.pending, p.skipped, p.offset = nil, 0, 0
}

func (p *protocolPanel) matches(c *change) bool {
	return (p.filter.Key == "" || c.key == p.filter.Key) &&
		(p.filter.Proposer == "" || c.proposer == p.filter.Proposer)
}

// View implements panel.
func (p *protocolPanel) View() string {
	if p.w <= 0 || p.h <= 0 {
		return ""
	}
	cols := p.d.columns()
	body := max(p.h-2, 0)
	lines := p.lines(cols, body)
	out := make([]string, 0, p.h)
	out = append(out, p.columnHeader(cols), p.status())
	out = append(out, lines...)
	if len(lines) == 0 && body > 0 {
		out = append(out, p.st.Muted.Render("no changes yet: try  :incr k  or  :load start 4"))
	}
	return fit(strings.Join(out, "\n"), p.w, p.h)
}

// lines returns the body lines on show: n lines ending offset lines
// before the newest. It renders only those changes.
func (p *protocolPanel) lines(cols []string, n int) []string {
	var rev []string // newest first
	want := p.offset + n
	for i := p.d.changes.len() - 1; i >= 0 && len(rev) < want; i-- {
		c := p.d.changes.at(i)
		if !p.matches(c) {
			continue
		}
		block := p.renderChange(cols, c)
		for j := len(block) - 1; j >= 0; j-- {
			rev = append(rev, block[j])
		}
	}
	if p.offset > max(len(rev)-n, 0) {
		p.offset = max(len(rev)-n, 0)
	}
	rev = rev[p.offset:min(len(rev), p.offset+n)]
	slices.Reverse(rev)
	return rev
}

func (p *protocolPanel) renderChange(cols []string, c *change) []string {
	out := make([]string, 0, len(c.rows)+2)
	out = append(out, renderHeader(p.st, c, p.w))
	for _, r := range c.rows {
		out = append(out, renderRow(p.st, cols, p.w, r))
	}
	if c.overflow > 0 {
		out = append(out, p.st.Muted.Render(fmt.Sprintf("  … %d more messages", c.overflow)))
	}
	return out
}

// columnHeader writes each column's name over its lifeline.
func (p *protocolPanel) columnHeader(cols []string) string {
	if len(cols) == 0 || len(cols)*minColumn > p.w {
		return p.st.Header.Render(strings.Join(cols, " "))
	}
	line := []rune(strings.Repeat(" ", p.w))
	for i, c := range columnCenters(len(cols), p.w) {
		name := []rune(cutRunes(cols[i], p.w/len(cols)-1))
		start := max(c-len(name)/2, 0)
		copy(line[start:], name)
	}
	return p.st.Header.Render(string(line))
}

// cutRunes cuts a column name to n runes.
func cutRunes(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		r = r[:max(n, 1)]
	}
	return string(r)
}

func (p *protocolPanel) status() string {
	var parts []string
	if p.frozen {
		s := fmt.Sprintf("⏸ paused, %d new events waiting (space resumes)", len(p.pending))
		if p.skipped > 0 {
			s += fmt.Sprintf(", %d not kept", p.skipped)
		}
		parts = append(parts, p.st.Warn.Render(s))
	}
	if p.filter.Key != "" {
		parts = append(parts, "key="+p.filter.Key)
	}
	if p.filter.Proposer != "" {
		parts = append(parts, "proposer="+p.filter.Proposer)
	}
	if n := p.d.inDoubt(); n > 0 {
		parts = append(parts, p.st.Bad.Render(fmt.Sprintf("%d in doubt", n)))
	}
	if len(parts) == 0 && !p.keys.Freeze.Enabled() {
		return p.st.Muted.Render("↑↓ scroll · :filter key K")
	}
	if len(parts) == 0 {
		return p.st.Muted.Render("live · space pauses · ↑↓ scroll · :filter key K")
	}
	return strings.Join(parts, " · ")
}

// ShortHelp implements help.KeyMap.
func (p *protocolPanel) ShortHelp() []key.Binding {
	return []key.Binding{p.keys.Freeze, p.keys.Up, p.keys.Down, p.keys.Bottom}
}

// FullHelp implements help.KeyMap.
func (p *protocolPanel) FullHelp() [][]key.Binding {
	return [][]key.Binding{{p.keys.Freeze, p.keys.Up, p.keys.Down, p.keys.PageUp, p.keys.PageDown, p.keys.Top, p.keys.Bottom}}
}
