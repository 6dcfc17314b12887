package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
)

// View implements tea.Model.
func (m *Model) View() string {
	if m.w == 0 {
		return ""
	}
	if m.lay.TooSmall {
		return fit(fmt.Sprintf("gryadka needs at least %dx%d; this terminal is %dx%d", minWidth, minHeight, m.w, m.h), m.w, m.h)
	}
	var body string
	switch {
	case m.showHelp:
		body = m.helpView(m.h - 2)
	case m.lay.Wide:
		left := lipgloss.JoinVertical(lipgloss.Left,
			m.box("cluster", m.cluster, m.lay.Cluster, m.focusCluster),
			m.box("load", m.load, m.lay.Load, !m.focusCluster && m.tab == tabLoad))
		right := m.box(m.tabTitle(), m.tabs[m.mainTab()], m.lay.Main, !m.focusCluster && m.tab == m.mainTab())
		body = lipgloss.JoinVertical(lipgloss.Left,
			lipgloss.JoinHorizontal(lipgloss.Top, left, right),
			m.box("log", m.log, m.lay.Log, !m.focusCluster && m.tab == tabLog))
	default:
		body = lipgloss.JoinVertical(lipgloss.Left,
			m.box("cluster", m.cluster, m.lay.Cluster, m.focusCluster),
			m.box(m.tabTitle(), m.tabs[m.tab], m.lay.Main, !m.focusCluster))
	}
	if m.demo != nil && !m.showHelp {
		body = lipgloss.JoinVertical(lipgloss.Left, m.box("demo", m.demo, size{m.demo.w, m.demo.h}, m.demo.asking != nil), body)
	}
	return lipgloss.JoinVertical(lipgloss.Left, m.titleBar(), body, m.statusLine(), m.helpLine())
}

// mainTab is the tab in the main area. On a wide screen the load and log
// panels have their own places, so their tabs focus them there.
func (m *Model) mainTab() tab {
	if m.lay.Wide && (m.tab == tabLoad || m.tab == tabLog) {
		return m.lastMain
	}
	return m.tab
}

// box draws a panel in a rounded border with its title in the top edge.
func (m *Model) box(title string, p panel, s size, focused bool) string {
	style := m.st.Panel
	if focused {
		style, title = m.st.PanelFocused, "▸ "+title // the mark shows focus without colour
	}
	inner := fit(p.View(), s.W, s.H)
	b := style.BorderTop(false).Render(inner)
	border := lipgloss.RoundedBorder()
	w := s.W + style.GetHorizontalFrameSize()
	head := border.TopLeft + border.Top + " " + title + " "
	fill := max(w-ansi.StringWidth(head)-1, 0)
	top := ansi.Truncate(head+strings.Repeat(border.Top, fill), w-1, "") + border.TopRight
	edge := style.UnsetBorderStyle().UnsetPadding().UnsetMargins().Foreground(style.GetBorderTopForeground())
	return edge.Render(top) + "\n" + b
}

// tabTitle lists the tabs of the main area, the shown one marked.
func (m *Model) tabTitle() string {
	shown := m.mainTab()
	parts := make([]string, 0, tabCount)
	for t := range tabCount {
		if m.lay.Wide && (t == tabLoad || t == tabLog) || t == tabMembers && !m.members.active() && m.tab != tabMembers {
			continue
		}
		name := fmt.Sprintf("%d %s", t+1, t)
		if t == shown {
			name = "[" + name + "]"
		}
		parts = append(parts, name)
	}
	return strings.Join(parts, " ")
}

// titleBar sums the cluster up in one line.
func (m *Model) titleBar() string {
	snap := m.cluster.snap
	up := 0
	for _, n := range snap.Nodes {
		if n.State == "up" {
			up++
		}
	}
	parts := []string{m.st.Title.Render("gryadka")}
	if m.env.Title != "" {
		parts = append(parts, m.env.Title)
	}
	parts = append(parts, fmt.Sprintf("%d/%d nodes up", up, len(snap.Nodes)), plural(len(snap.Proposers), "proposer"))
	if m.work != nil {
		parts = append(parts, fmt.Sprintf("load %d clients", m.work.clients))
	}
	if snap.Step {
		parts = append(parts, m.st.Warn.Render("STEP MODE"))
	}
	if n := len(snap.Faults); n > 0 {
		parts = append(parts, m.st.Warn.Render(fmt.Sprintf("%d link faults", n)))
	}
	if n := m.proto.d.inDoubt(); n > 0 {
		parts = append(parts, m.st.Bad.Render(fmt.Sprintf("%d in doubt", n)))
	}
	if m.env.ReadOnly {
		parts = append(parts, m.st.Warn.Render("read-only"))
	}
	return fitLine(strings.Join(parts, m.st.TitleInfo.Render(" · ")), m.w)
}

// statusLine is the prompt while typing, a question while confirming,
// or the outcome of the last action.
func (m *Model) statusLine() string {
	switch {
	case m.prompt.active:
		return m.prompt.View()
	case m.confirm != nil:
		return fitLine(m.st.Warn.Render(fmt.Sprintf("%s on a cluster you attached to? y/n", m.confirm.Line)), m.w)
	case m.status.Err != nil:
		return fitLine(m.st.StatusErr.Render("✗ "+m.status.Err.Error()), m.w)
	case m.status.Text != "":
		return fitLine(m.st.StatusOK.Render("✓ "+m.status.Text), m.w)
	}
	return fitLine(m.st.Muted.Render("type : for a command, ? for help"), m.w)
}

// helpLine shows the keys of the focused panel, then the global ones.
func (m *Model) helpLine() string {
	if m.prompt.active {
		return fitLine(m.help.ShortHelpView(m.prompt.ShortHelp()), m.w)
	}
	bindings := append(m.focused().ShortHelp(), m.keys.ShortHelp()...)
	if m.demo != nil {
		bindings = append(m.demo.ShortHelp(), bindings...)
	}
	return fitLine(m.help.ShortHelpView(bindings), m.w)
}

// helpView is the full help: every key, and every command or one.
func (m *Model) helpView(h int) string {
	var b strings.Builder
	if m.helpTopic != "" {
		s := findSpec(m.helpTopic)
		fmt.Fprintf(&b, "%s\n\n  usage:    %s\n  example:  %s\n  %s\n", m.st.Title.Render(s.name), s.usage, s.example, s.summary)
		if s.writes {
			b.WriteString("  changes the cluster: not offered in read-only mode\n")
		}
	} else {
		b.WriteString(m.st.Title.Render("keys") + "\n")
		b.WriteString(m.help.FullHelpView(append([][]key.Binding{}, m.keys.FullHelp()...)) + "\n\n")
		b.WriteString(m.st.Title.Render("commands") + "  (type : first; tab completes, ↑↓ recall; help CMD explains one)\n")
		used := strings.Count(b.String(), "\n") + 5
		b.WriteString(commandList(commandSpecs(), m.w-6, h-used))
	}
	b.WriteString("\n" + m.st.Muted.Render("? or esc closes the help"))
	return m.st.HelpBorder.Render(fit(b.String(), m.w-4, h-4))
}

// plural writes "1 proposer" or "2 proposers".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// commandList lists the commands in w x h cells: with their summaries in
// one or two columns when there is room, else their usages only, and
// those that do not fit by name on the last line.
func commandList(specs []spec, w, h int) string {
	cols := 1
	if w >= 116 {
		cols = 2
	}
	rows := (len(specs) + cols - 1) / cols
	if rows > h {
		var lines []string
		line := " "
		for _, s := range specs {
			item := s.usage
			if len(lines) >= h-1 {
				item = s.name
			}
			if ansi.StringWidth(line)+len(item)+3 > w {
				lines, line = append(lines, line), " "
				if len(lines) >= h-1 {
					item = s.name
				}
			}
			line += " " + item + " ·"
		}
		return strings.Join(append(lines, strings.TrimSuffix(line, " ·")), "\n")
	}
	cw := w / cols
	var b strings.Builder
	for r := range rows {
		for c := range cols {
			if i := c*rows + r; i < len(specs) {
				b.WriteString(fitLine(fmt.Sprintf("  %-32s %s", specs[i].usage, specs[i].summary), cw))
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}
