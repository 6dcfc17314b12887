package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// queuePanel shows the messages held in step mode. The user delivers the
// oldest, or picks one to deliver or drop, and watches quorums form in
// the protocol panel.
type queuePanel struct {
	st   Styles
	keys KeyMap
	w, h int

	held     []HeldMessage
	step     bool
	selected int
}

var _ panel = (*queuePanel)(nil)

func newQueuePanel(st Styles, keys KeyMap) *queuePanel {
	return &queuePanel{st: st, keys: keys}
}

// SetSize implements panel.
func (p *queuePanel) SetSize(w, h int) { p.w, p.h = w, h }

// Update implements panel.
func (p *queuePanel) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case snapshotMsg:
		p.held, p.step = msg.Held, msg.Step
		p.selected = clamp(p.selected, 0, max(len(p.held)-1, 0))
	case tea.KeyMsg:
		return p.key(msg)
	}
	return nil
}

func (p *queuePanel) key(msg tea.KeyMsg) tea.Cmd {
	switch {
	case key.Matches(msg, p.keys.Up):
		p.selected = max(p.selected-1, 0)
	case key.Matches(msg, p.keys.Down):
		p.selected = min(p.selected+1, max(len(p.held)-1, 0))
	case key.Matches(msg, p.keys.DeliverNext):
		return sendCommand(queueCommand{Deliver: true}, "deliver")
	case key.Matches(msg, p.keys.Deliver) && p.selected < len(p.held):
		id := p.held[p.selected].ID
		return sendCommand(queueCommand{Deliver: true, ID: id}, fmt.Sprintf("deliver %d", id))
	case key.Matches(msg, p.keys.Drop) && p.selected < len(p.held):
		id := p.held[p.selected].ID
		return sendCommand(queueCommand{ID: id}, fmt.Sprintf("discard %d", id))
	}
	return nil
}

// View implements panel.
func (p *queuePanel) View() string {
	if p.w <= 0 || p.h <= 0 {
		return ""
	}
	var lines []string
	switch {
	case !p.step && len(p.held) == 0:
		lines = append(lines, p.st.Muted.Render("step mode is off: type  :step on  to hold every message here"))
	case len(p.held) == 0:
		lines = append(lines, p.st.Warn.Render("step mode is on: no message is waiting; start a change, e.g.  :incr k"))
	default:
		lines = append(lines, p.st.Header.Render(fmt.Sprintf("%d held · n delivers the oldest · enter delivers · x drops", len(p.held))))
	}
	first := max(0, p.selected-(p.h-2))
	for i := first; i < len(p.held) && i-first < p.h-1; i++ {
		h := p.held[i]
		what, style := "request", p.st.Prepare
		from, to := h.Proposer, h.Acceptor
		if h.Reply {
			what, style, from, to = "reply", p.st.Accepted, h.Acceptor, h.Proposer
		}
		mark := " "
		if i == p.selected {
			mark = "›"
		}
		line := fmt.Sprintf("%s%3d %-4s → %-4s %-7s %-7s %-8s key %s %s", mark, h.ID, from, to, h.Phase, what,
			shortBallot(h.Ballot), h.Key, h.Summary)
		if i == p.selected {
			lines = append(lines, p.st.Select.Render(fitLine(line, p.w)))
			continue
		}
		lines = append(lines, style.Render(line))
	}
	return fit(strings.Join(lines, "\n"), p.w, p.h)
}

// ShortHelp implements help.KeyMap.
func (p *queuePanel) ShortHelp() []key.Binding {
	return []key.Binding{p.keys.DeliverNext, p.keys.Deliver, p.keys.Drop, p.keys.Up, p.keys.Down}
}

// FullHelp implements help.KeyMap.
func (p *queuePanel) FullHelp() [][]key.Binding { return [][]key.Binding{p.ShortHelp()} }
