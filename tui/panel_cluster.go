package tui

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/gryadka/gryadka/paxos"
	"github.com/gryadka/gryadka/trace"
)

// clusterPanel lists every acceptor and every proposer. Its keys act on
// the selected node.
type clusterPanel struct {
	st   Styles
	keys KeyMap
	w, h int

	snap     snapshotMsg
	selected int
	meters   map[string]*meter // per acceptor: replies and their latency
	lastTick time.Time
}

var _ panel = (*clusterPanel)(nil)

func newClusterPanel(st Styles, keys KeyMap) *clusterPanel {
	return &clusterPanel{st: st, keys: keys, meters: map[string]*meter{}}
}

// rows returns how many lines the panel would like.
func (p *clusterPanel) rows() int {
	return 1 + max(len(p.snap.Nodes), 1) + len(p.snap.Proposers)
}

// SetSize implements panel.
func (p *clusterPanel) SetSize(w, h int) { p.w, p.h = w, h }

// selectedNode returns the name of the selected node, or "".
func (p *clusterPanel) selectedNode() (NodeInfo, bool) {
	if p.selected < len(p.snap.Nodes) {
		return p.snap.Nodes[p.selected], true
	}
	return NodeInfo{}, false
}

// Update implements panel.
func (p *clusterPanel) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case snapshotMsg:
		p.snap = msg
		p.selected = clamp(p.selected, 0, max(len(msg.Nodes)-1, 0))
	case traceBatchMsg:
		for _, r := range msg.Records {
			if e, ok := r.Event.(paxos.ReplyReceived); ok {
				p.meter(e.Acceptor).observe(e.Latency)
			}
		}
	case tickMsg:
		if !p.lastTick.IsZero() {
			for _, m := range p.meters {
				m.roll(msg.At.Sub(p.lastTick))
			}
		}
		p.lastTick = msg.At
	case tea.KeyMsg:
		return p.key(msg)
	}
	return nil
}

func (p *clusterPanel) meter(name string) *meter {
	m := p.meters[name]
	if m == nil {
		m = &meter{}
		p.meters[name] = m
	}
	return m
}

func (p *clusterPanel) key(msg tea.KeyMsg) tea.Cmd {
	switch {
	case key.Matches(msg, p.keys.Up):
		p.selected = max(p.selected-1, 0)
		return nil
	case key.Matches(msg, p.keys.Down):
		p.selected = min(p.selected+1, max(len(p.snap.Nodes)-1, 0))
		return nil
	case key.Matches(msg, p.keys.Heal):
		return sendCommand(healCommand{}, "heal")
	}
	n, ok := p.selectedNode()
	if !ok {
		return nil
	}
	var a NodeAction
	switch {
	case key.Matches(msg, p.keys.Kill):
		a = NodeKill
	case key.Matches(msg, p.keys.Pause) && n.State == "paused":
		a = NodeResume
	case key.Matches(msg, p.keys.Pause):
		a = NodePause
	case key.Matches(msg, p.keys.Restart):
		a = NodeRestart
	case key.Matches(msg, p.keys.Wipe):
		a = NodeWipe
	default:
		return nil
	}
	return sendCommand(nodeCommand{Action: a, Node: n.Name}, a.String()+" "+n.Name)
}

// sendCommand hands a command to the root model, exactly as if typed.
func sendCommand(c command, line string) tea.Cmd {
	return func() tea.Msg { return commandMsg{Cmd: c, Line: line} }
}

// View implements panel.
func (p *clusterPanel) View() string {
	if p.w <= 0 || p.h <= 0 {
		return ""
	}
	wide := p.w >= 74
	var b strings.Builder
	head := fmt.Sprintf("%-5s %-9s %-5s %7s %7s  %s", "NODE", "STATE", "SETS", "REQ/S", "LAT", "LINKS")
	if wide {
		head = fmt.Sprintf("%-5s %-9s %-9s %-16s %-5s %7s %7s  %s", "NODE", "STATE", "BACKEND", "ADDRESS", "SETS", "REQ/S", "LAT", "LINKS")
	}
	b.WriteString(p.st.Muted.Render(head))
	if len(p.snap.Nodes) == 0 {
		b.WriteString("\n" + p.st.Muted.Render("no nodes"))
	}
	for i, n := range p.snap.Nodes {
		b.WriteString("\n" + p.nodeLine(n, i == p.selected, wide))
	}
	for _, pr := range p.snap.Proposers {
		b.WriteString("\n" + p.proposerLine(pr))
	}
	return fit(b.String(), p.w, p.h)
}

func (p *clusterPanel) stateStyle(state string) (string, lipgloss.Style) {
	switch state {
	case "up":
		return "● up", p.st.Accepted
	case "paused":
		return "‖ paused", p.st.Paused
	case "wiped":
		return "○ wiped", p.st.Rejected
	}
	return "✗ " + state, p.st.Down
}

func (p *clusterPanel) nodeLine(n NodeInfo, selected, wide bool) string {
	mark, style := p.stateStyle(n.State)
	sets := p.sets(n.Name)
	rate, lat := "-", "-"
	if m := p.meters[n.Name]; m != nil {
		rate = fmt.Sprintf("%.0f", m.rate)
		if m.rate > 0 && m.rate < 10 {
			rate = fmt.Sprintf("%.1f", m.rate)
		}
		if m.lat > 0 {
			lat = trace.Duration(m.lat)
		}
	}
	links := p.links(n.Name)
	name := fmt.Sprintf("%-5s", n.Name)
	if selected {
		name = p.st.Select.Render(fmt.Sprintf("%-5s", "›"+n.Name))
	}
	state := style.Render(fmt.Sprintf("%-9s", mark))
	rest := fmt.Sprintf(" %-5s %7s %7s  ", sets, rate, lat)
	if wide {
		rest = fmt.Sprintf(" %-9s %-16s", n.Backend, n.Addr) + rest
	}
	linkText := p.st.Muted.Render("ok")
	if links != "" {
		linkText = p.st.Warn.Render(links)
	}
	return name + " " + state + rest + linkText
}

// sets tells which configuration sets of the first proposer hold name.
func (p *clusterPanel) sets(name string) string {
	if len(p.snap.Proposers) == 0 {
		return ""
	}
	pr := p.snap.Proposers[0]
	s := ""
	if slices.Contains(pr.Prepare, name) {
		s += "P"
	}
	if slices.Contains(pr.Accept, name) {
		s += "A"
	}
	if s == "" {
		s = "-"
	}
	return s
}

// links returns the faults that name a node, in few words.
func (p *clusterPanel) links(name string) string {
	var out []string
	for _, f := range p.snap.Faults {
		if strings.Contains(" "+f+" ", " "+name+" ") || strings.Contains(f, "*") {
			out = append(out, f)
		}
	}
	return strings.Join(out, "; ")
}

func (p *clusterPanel) proposerLine(pr ProposerStatus) string {
	quorums := fmt.Sprintf("quorums %d/%d %d/%d", pr.PrepareQuorum, len(pr.Prepare), pr.AcceptQuorum, len(pr.Accept))
	if pr.Remote != "" {
		if pr.Down != "" {
			return fmt.Sprintf("%-5s %s %s %s", pr.ID, p.st.Down.Render("✗"), pr.Remote, p.st.Down.Render("disconnected: "+pr.Down))
		}
		return fmt.Sprintf("%-5s %s %s · ballot %d · in flight %d · %s",
			pr.ID, p.st.Header.Render("▲"), pr.Remote, pr.Counter, pr.InFlight, quorums)
	}
	rtt := p.st.Muted.Render("1RTT off")
	if pr.OneRTT {
		rtt = p.st.Good.Render("1RTT on")
	}
	return fmt.Sprintf("%-5s %s ballot %d · %s · cached %d · in flight %d · %s",
		pr.ID, p.st.Header.Render("▲"), pr.Counter, rtt, pr.Cached, pr.InFlight, quorums)
}

// ShortHelp implements help.KeyMap.
func (p *clusterPanel) ShortHelp() []key.Binding {
	return []key.Binding{p.keys.Up, p.keys.Down, p.keys.Kill, p.keys.Pause, p.keys.Restart, p.keys.Wipe, p.keys.Heal}
}

// FullHelp implements help.KeyMap.
func (p *clusterPanel) FullHelp() [][]key.Binding { return [][]key.Binding{p.ShortHelp()} }
