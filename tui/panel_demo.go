package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
)

// demoPage is what one step of a demo showed so far.
type demoPage struct {
	title string
	lines []string
	done  bool // every part ran
}

// demoPanel narrates a guided demo: one page a step, next, back to the
// pages already seen, and replay of a step. While a question waits for
// the learner, y and n answer it.
type demoPanel struct {
	st   Styles
	keys demoKeys
	demo Demo
	w, h int

	pages   []demoPage
	at      int  // the page shown
	running bool // a part is playing
	asking  *DemoPart
}

func newDemoPanel(st Styles, d Demo) *demoPanel {
	return &demoPanel{st: st, keys: defaultDemoKeys(), demo: d}
}

// SetSize implements panel.
func (p *demoPanel) SetSize(w, h int) { p.w, p.h = w, h }

// key handles a key press and reports whether it was the panel's.
func (p *demoPanel) key(msg tea.KeyMsg) (tea.Cmd, bool) {
	switch {
	case p.asking != nil && key.Matches(msg, p.keys.Yes, p.keys.No):
		return p.answer(key.Matches(msg, p.keys.Yes)), true
	case key.Matches(msg, p.keys.Next):
		return p.next(), true
	case key.Matches(msg, p.keys.Back):
		if !p.running && p.asking == nil && p.at > 0 {
			p.at--
		}
		return nil, true
	case key.Matches(msg, p.keys.Replay):
		if p.running || p.asking != nil || len(p.pages) == 0 {
			return nil, true
		}
		return p.play(p.at, 0), true
	}
	return nil, false
}

// next shows the page after this one, or plays the next step.
func (p *demoPanel) next() tea.Cmd {
	switch {
	case p.running || p.asking != nil:
		return nil
	case p.at < len(p.pages)-1:
		p.at++
		return nil
	case len(p.pages) >= p.demo.Steps():
		return nil
	}
	p.pages = append(p.pages, demoPage{})
	return p.play(len(p.pages)-1, 0)
}

// play runs a part of step; part 0 starts the step's page afresh.
func (p *demoPanel) play(step, part int) tea.Cmd {
	if part == 0 {
		p.pages[step] = demoPage{}
	}
	p.at, p.running = step, true
	return playCmd(p.demo, step, part)
}

// answer takes the learner's prediction, reveals the answer and plays the
// rest of the step.
func (p *demoPanel) answer(yes bool) tea.Cmd {
	q := p.asking
	p.asking = nil
	have := map[bool]string{true: "yes", false: "no"}[yes]
	verdict := "right"
	if have != q.Answer {
		verdict = "not quite"
	}
	pg := &p.pages[q.Step]
	pg.lines = append(pg.lines, fmt.Sprintf("  you said %s; the answer is %s: %s", have, q.Answer, verdict))
	return p.play(q.Step, q.Part+1)
}

// Update implements panel: it takes the parts that finished playing.
func (p *demoPanel) Update(msg tea.Msg) tea.Cmd {
	m, ok := msg.(demoPartMsg)
	if !ok || m.Part.Step >= len(p.pages) {
		return nil
	}
	part := m.Part
	p.running = false
	pg := &p.pages[part.Step]
	pg.title = part.Title
	if part.Text != "" {
		pg.lines = append(pg.lines, strings.Split(strings.TrimRight(part.Text, "\n"), "\n")...)
	}
	switch {
	case part.Err != nil:
		pg.lines = append(pg.lines, p.st.Bad.Render("✗ "+part.Err.Error()))
		pg.done = true
	case part.Question != "":
		p.asking = &part
	default:
		pg.done = true
	}
	return nil
}

// View implements panel: the page shown, its newest lines when it is long.
func (p *demoPanel) View() string {
	head := p.st.PanelTitle.Render(p.demo.Title())
	var lines []string
	if len(p.pages) == 0 {
		lines = []string{p.demo.Summary(), "", p.st.Muted.Render(fmt.Sprintf("%d steps. Press N to start; the command line (:) stays yours throughout.", p.demo.Steps()))}
	} else {
		pg := p.pages[p.at]
		head += p.st.Muted.Render(fmt.Sprintf(" · step %d of %d: ", p.at+1, p.demo.Steps())) + pg.title
		lines = append(lines, pg.lines...)
		lines = append(lines, p.st.Muted.Render(p.hint(pg)))
	}
	var wrapped []string
	for _, l := range lines {
		wrapped = append(wrapped, strings.Split(ansi.Wordwrap(l, max(p.w, 1), ""), "\n")...)
	}
	if room := max(p.h-1, 0); len(wrapped) > room {
		wrapped = wrapped[len(wrapped)-room:]
	}
	return head + "\n" + strings.Join(wrapped, "\n")
}

// hint says what the learner can do now.
func (p *demoPanel) hint(pg demoPage) string {
	switch {
	case p.running:
		return "running…"
	case p.asking != nil:
		return "your prediction? y or n"
	case p.at < len(p.pages)-1:
		return "N: forward · B: back · A: replay this step"
	case len(p.pages) >= p.demo.Steps() && pg.done:
		return "the end · B: back · A: replay this step · : to play on freely"
	}
	return "N: next step · B: back · A: replay this step"
}

// ShortHelp implements help.KeyMap.
func (p *demoPanel) ShortHelp() []key.Binding {
	if p.asking != nil {
		return []key.Binding{p.keys.Yes, p.keys.No}
	}
	return []key.Binding{p.keys.Next, p.keys.Back, p.keys.Replay}
}

// FullHelp implements help.KeyMap.
func (p *demoPanel) FullHelp() [][]key.Binding {
	return [][]key.Binding{{p.keys.Next, p.keys.Back, p.keys.Replay, p.keys.Yes, p.keys.No}}
}
