package tui

import (
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// KeyMap holds every key binding of the dashboard. Panels read the
// bindings that concern them; disabled bindings drop out of the help.
type KeyMap struct {
	// Global.
	Quit    key.Binding
	Help    key.Binding
	Command key.Binding
	Focus   key.Binding
	Tabs    key.Binding // 1-5, shown in help only
	Tab     [tabCount]key.Binding

	// Lists and scrolling.
	Up       key.Binding
	Down     key.Binding
	PageUp   key.Binding
	PageDown key.Binding
	Top      key.Binding
	Bottom   key.Binding

	// Cluster panel.
	Kill    key.Binding
	Pause   key.Binding
	Restart key.Binding
	Wipe    key.Binding
	Heal    key.Binding

	// Protocol and log panels.
	Freeze key.Binding

	// Key inspector.
	Filter  key.Binding
	Inspect key.Binding
	Refresh key.Binding

	// Step queue.
	DeliverNext key.Binding
	Deliver     key.Binding
	Drop        key.Binding

	// Prompt and confirmations.
	Cancel  key.Binding
	Confirm key.Binding
	Deny    key.Binding
}

// DefaultKeyMap returns the dashboard's bindings.
func DefaultKeyMap() KeyMap {
	b := func(keys []string, k, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(k, desc))
	}
	return KeyMap{
		Quit:    b([]string{"q", "ctrl+c"}, "q", "quit"),
		Help:    b([]string{"?"}, "?", "help"),
		Command: b([]string{":"}, ":", "command"),
		Focus:   b([]string{"tab", "shift+tab"}, "tab", "focus"),
		Tabs:    key.NewBinding(key.WithKeys(), key.WithHelp("1-5", "protocol/keys/load/queue/log")),
		Tab: [tabCount]key.Binding{
			key.NewBinding(key.WithKeys("1")), key.NewBinding(key.WithKeys("2")),
			key.NewBinding(key.WithKeys("3")), key.NewBinding(key.WithKeys("4")),
			key.NewBinding(key.WithKeys("5")), key.NewBinding(key.WithKeys("6")),
		},

		Up:       b([]string{"up", "k"}, "↑/k", "up"),
		Down:     b([]string{"down", "j"}, "↓/j", "down"),
		PageUp:   b([]string{"pgup", "b"}, "pgup", "page up"),
		PageDown: b([]string{"pgdown", "f"}, "pgdn", "page down"),
		Top:      b([]string{"home", "g"}, "g", "oldest"),
		Bottom:   b([]string{"end", "G"}, "G", "newest"),

		Kill:    b([]string{"K"}, "K", "kill node"),
		Pause:   b([]string{"P"}, "P", "pause/resume"),
		Restart: b([]string{"R"}, "R", "restart"),
		Wipe:    b([]string{"W"}, "W", "wipe"),
		Heal:    b([]string{"H"}, "H", "heal links"),

		Freeze: b([]string{" "}, "space", "pause view"),

		Filter:  b([]string{"/"}, "/", "filter"),
		Inspect: b([]string{"enter"}, "enter", "inspect"),
		Refresh: b([]string{"r"}, "r", "refresh"),

		DeliverNext: b([]string{"n"}, "n", "deliver next"),
		Deliver:     b([]string{"enter"}, "enter", "deliver"),
		Drop:        b([]string{"x"}, "x", "drop"),

		Cancel:  b([]string{"esc"}, "esc", "cancel"),
		Confirm: b([]string{"y"}, "y", "yes"),
		Deny:    b([]string{"n", "esc"}, "n", "no"),
	}
}

// ShortHelp implements help.KeyMap with the global bindings.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Command, k.Focus, k.Tabs, k.Help, k.Quit}
}

// FullHelp implements help.KeyMap with every group of bindings.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Command, k.Focus, k.Tabs, k.Help, k.Quit},
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom},
		{k.Kill, k.Pause, k.Restart, k.Wipe, k.Heal},
		{k.Freeze, k.Filter, k.Inspect, k.Refresh},
		{k.DeliverNext, k.Deliver, k.Drop},
	}
}

// scrollDelta returns how many lines a navigation key moves a view back in
// its history (forward when negative; Top is "as far as it goes"), or false
// for any other key.
func scrollDelta(k KeyMap, msg tea.KeyMsg, page int) (int, bool) {
	switch {
	case key.Matches(msg, k.Up):
		return 1, true
	case key.Matches(msg, k.Down):
		return -1, true
	case key.Matches(msg, k.PageUp):
		return page, true
	case key.Matches(msg, k.PageDown):
		return -page, true
	case key.Matches(msg, k.Top):
		return 1 << 30, true
	}
	return 0, false
}
