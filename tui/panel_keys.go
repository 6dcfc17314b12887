package tui

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/gryadka/gryadka/kv"
	"github.com/gryadka/gryadka/paxos"
)

// maxKeys bounds the key list.
const maxKeys = 500

// keysRequestMsg asks the root model to list keys matching Match.
type keysRequestMsg struct{ Match string }

// keysMsg is the key list read from a node.
type keysMsg struct {
	Keys []string
	Err  error
}

// inspectRequestMsg asks the root model to read Key on every node.
type inspectRequestMsg struct{ Key string }

// nodeKeyState is what one node holds for a key.
type nodeKeyState struct {
	Node  string
	State paxos.MemState
	Err   error
}

// inspectMsg is a key as every node holds it, with the nodes' digests.
type inspectMsg struct {
	Key     string
	States  []nodeKeyState
	Digests map[string]string
}

// keysPanel is the key inspector: a key list on the left, and each
// acceptor's promise, accepted ballot and value of the chosen key.
type keysPanel struct {
	st   Styles
	keys KeyMap
	w, h int

	list     []string
	listErr  error
	selected int
	filter   textinput.Model
	match    string
	shown    inspectMsg
	quorum   int
}

var _ panel = (*keysPanel)(nil)

func newKeysPanel(st Styles, keys KeyMap) *keysPanel {
	f := textinput.New()
	f.Prompt = "/"
	f.CharLimit = 64
	f.Cursor.SetMode(cursor.CursorStatic)
	return &keysPanel{st: st, keys: keys, filter: f, quorum: 1}
}

// SetSize implements panel.
func (p *keysPanel) SetSize(w, h int) { p.w, p.h = w, h }

// open inspects key and refreshes the list.
func (p *keysPanel) open(k string) tea.Cmd {
	p.shown.Key = k
	return tea.Batch(request(inspectRequestMsg{Key: k}), request(keysRequestMsg{Match: p.match}))
}

func request(msg tea.Msg) tea.Cmd { return func() tea.Msg { return msg } }

// Update implements panel.
func (p *keysPanel) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case keysMsg:
		p.list, p.listErr = msg.Keys, msg.Err
		p.selected = clamp(p.selected, 0, max(len(p.list)-1, 0))
	case inspectMsg:
		p.shown = msg
	case snapshotMsg:
		if len(msg.Proposers) > 0 {
			p.quorum = msg.Proposers[0].PrepareQuorum
		}
	case tea.KeyMsg:
		return p.key(msg)
	}
	return nil
}

func (p *keysPanel) key(msg tea.KeyMsg) tea.Cmd {
	if p.filter.Focused() {
		switch {
		case key.Matches(msg, p.keys.Cancel):
			p.filter.Blur()
			return nil
		case msg.Type == tea.KeyEnter:
			p.filter.Blur()
			p.match = p.filter.Value()
			return request(keysRequestMsg{Match: p.match})
		}
		var cmd tea.Cmd
		p.filter, cmd = p.filter.Update(msg)
		return cmd
	}
	switch {
	case key.Matches(msg, p.keys.Filter):
		return p.filter.Focus()
	case key.Matches(msg, p.keys.Up):
		p.selected = max(p.selected-1, 0)
	case key.Matches(msg, p.keys.Down):
		p.selected = min(p.selected+1, max(len(p.list)-1, 0))
	case key.Matches(msg, p.keys.Inspect) && p.selected < len(p.list):
		return p.open(p.list[p.selected])
	case key.Matches(msg, p.keys.Refresh):
		cmds := []tea.Cmd{request(keysRequestMsg{Match: p.match})}
		if p.shown.Key != "" {
			cmds = append(cmds, request(inspectRequestMsg{Key: p.shown.Key}))
		}
		return tea.Batch(cmds...)
	}
	return nil
}

// View implements panel.
func (p *keysPanel) View() string {
	if p.w <= 0 || p.h <= 0 {
		return ""
	}
	lw := clamp(p.w/4, 12, 30)
	left := fit(p.listView(lw), lw, p.h)
	right := fit(p.stateView(p.w-lw-3), p.w-lw-3, p.h)
	l, r := strings.Split(left, "\n"), strings.Split(right, "\n")
	out := make([]string, p.h)
	for i := range out {
		out[i] = l[i] + p.st.Muted.Render(" │ ") + r[i]
	}
	return strings.Join(out, "\n")
}

func (p *keysPanel) listView(w int) string {
	var b strings.Builder
	switch {
	case p.filter.Focused():
		b.WriteString(p.filter.View())
	case p.match != "":
		b.WriteString(p.st.Header.Render(fmt.Sprintf("keys /%s (%d)", p.match, len(p.list))))
	default:
		b.WriteString(p.st.Header.Render(fmt.Sprintf("keys (%d)", len(p.list))))
	}
	if p.listErr != nil {
		b.WriteString("\n" + p.st.Bad.Render(p.listErr.Error()))
	}
	if len(p.list) == 0 && p.listErr == nil {
		b.WriteString("\n" + p.st.Muted.Render("r lists keys"))
	}
	first := max(0, p.selected-(p.h-2))
	for i := first; i < len(p.list) && i-first < p.h-1; i++ {
		line := fitLine("  "+p.list[i], w)
		if i == p.selected {
			line = p.st.Select.Render(fitLine("› "+p.list[i], w))
		}
		b.WriteString("\n" + line)
	}
	return b.String()
}

// decoded shows a stored state as the key-value layer reads it.
func decoded(v []byte) string {
	if v == nil {
		return "nil"
	}
	e, err := kv.Decode(v)
	if err != nil {
		return shortValue(v)
	}
	return e.String()
}

func (p *keysPanel) stateView(w int) string {
	s := p.shown
	if s.Key == "" {
		return p.st.Muted.Render("pick a key and press enter, or  :inspect KEY")
	}
	lines := []string{p.st.Header.Render(fmt.Sprintf("key %s · prepare quorum %d", s.Key, p.quorum)),
		p.st.Muted.Render(fmt.Sprintf("%-5s %-10s %-10s %s", "NODE", "PROMISE", "ACCEPTED", "VALUE"))}
	top := paxos.Ballot{}
	count := map[paxos.Ballot]int{}
	for _, n := range s.States {
		if n.Err == nil {
			top = paxos.MaxBallot(top, n.State.Accepted)
			count[n.State.Accepted]++
		}
	}
	for _, n := range s.States {
		if n.Err != nil {
			lines = append(lines, fmt.Sprintf("%-5s ", n.Node)+p.st.Down.Render(n.Err.Error()))
			continue
		}
		line := fmt.Sprintf("%-5s %-10s %-10s %s", n.Node, shortBallot(n.State.Promise), shortBallot(n.State.Accepted),
			decoded(n.State.Value))
		switch {
		case n.State.Accepted.Less(top):
			line = p.st.Lost.Render(line + "  ← lags")
		case count[top] >= p.quorum:
			line = p.st.Accepted.Render(line)
		default:
			line = p.st.Promised.Render(line)
		}
		lines = append(lines, line)
	}
	lines = append(lines, "", p.summary(top, count), p.digestLine())
	return strings.Join(lines, "\n")
}

// summary says which value a quorum holds and what the next prepare
// would pick: the value of the highest accepted ballot it sees.
func (p *keysPanel) summary(top paxos.Ballot, count map[paxos.Ballot]int) string {
	if len(p.shown.States) == 0 {
		return p.st.Muted.Render("reading…")
	}
	var topValue []byte
	for _, n := range p.shown.States {
		if n.Err == nil && n.State.Accepted == top {
			topValue = n.State.Value
		}
	}
	if top.IsZero() {
		return p.st.Muted.Render("no acceptor has accepted a value: the key is empty")
	}
	held := fmt.Sprintf("%d/%d hold %s", count[top], len(p.shown.States), shortBallot(top))
	if count[top] >= p.quorum {
		return p.st.Good.Render(held + ", a quorum: chosen " + decoded(topValue))
	}
	return p.st.Warn.Render(held + ", no quorum: a prepare that sees it picks " + decoded(topValue))
}

func (p *keysPanel) digestLine() string {
	d := p.shown.Digests
	if len(d) == 0 {
		return ""
	}
	names := slices.Sorted(maps.Keys(d))
	parts := make([]string, len(names))
	distinct := map[string]bool{}
	for i, n := range names {
		v := d[n]
		if len(v) > 8 {
			v = v[:8]
		}
		parts[i] = n + " " + v
		distinct[d[n]] = true
	}
	verdict := p.st.Good.Render("agree")
	if len(distinct) > 1 {
		verdict = p.st.Warn.Render("differ")
	}
	return "digest " + strings.Join(parts, " · ") + " · " + verdict
}

// ShortHelp implements help.KeyMap.
func (p *keysPanel) ShortHelp() []key.Binding {
	return []key.Binding{p.keys.Up, p.keys.Down, p.keys.Inspect, p.keys.Filter, p.keys.Refresh}
}

// FullHelp implements help.KeyMap.
func (p *keysPanel) FullHelp() [][]key.Binding { return [][]key.Binding{p.ShortHelp()} }
