package tui

import (
	"strings"

	"github.com/charmbracelet/bubbles/help"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
)

// panel is one area of the dashboard. The root model routes keys to the
// focused panel only, and every other message to all of them; it sizes
// them from layout.go, so a panel never reads the terminal size.
type panel interface {
	Update(msg tea.Msg) tea.Cmd
	View() string
	SetSize(w, h int)
	help.KeyMap
}

// tab names the panels that take turns in the main area.
type tab uint8

// The tabs, in the order of their number keys.
const (
	tabProtocol tab = iota
	tabKeys
	tabLoad
	tabQueue
	tabLog
	tabMembers // listed once a membership change is on show
	tabCount
)

var tabNames = [tabCount]string{"protocol", "keys", "load", "queue", "log", "members"}

// String returns the tab's name.
func (t tab) String() string { return tabNames[t] }

// fit cuts or pads every line of s to exactly w cells and s to h lines.
func fit(s string, w, h int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	for i, l := range lines {
		lines[i] = fitLine(l, w)
	}
	return strings.Join(lines, "\n")
}

// fitLine cuts or pads one line to exactly w cells.
func fitLine(l string, w int) string {
	if w <= 0 {
		return ""
	}
	n := ansi.StringWidth(l)
	if n > w {
		return ansi.Truncate(l, w, "…")
	}
	return l + strings.Repeat(" ", w-n)
}

// ring is a bounded buffer that keeps the newest items.
type ring[T any] struct {
	items []T
	start int
	limit int
}

func newRing[T any](limit int) *ring[T] { return &ring[T]{limit: limit} }

// push adds v, dropping the oldest item when full; it returns the dropped
// item, if any.
func (r *ring[T]) push(v T) (old T, dropped bool) {
	if len(r.items) < r.limit {
		r.items = append(r.items, v)
		return old, false
	}
	old = r.items[r.start]
	r.items[r.start] = v
	r.start = (r.start + 1) % r.limit
	return old, true
}

// len returns how many items are kept.
func (r *ring[T]) len() int { return len(r.items) }

// at returns the i-th oldest item.
func (r *ring[T]) at(i int) T { return r.items[(r.start+i)%len(r.items)] }
