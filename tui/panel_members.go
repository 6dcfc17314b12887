package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/gryadka/gryadka/cluster"
	"github.com/gryadka/gryadka/paxos"
)

// memberPlannedMsg carries a membership change that Begin planned; the
// root model runs it next.
type memberPlannedMsg struct {
	Line   string
	Status MemberStatus
}

// memberStatusMsg carries where membership stands, for member status.
type memberStatusMsg struct{ Status MemberStatus }

// stepState is where one step of a membership change is.
type stepState uint8

const (
	stepTodo stepState = iota
	stepRunning
	stepDone
	stepFailed
)

// memberStep is one step of the change on show.
type memberStep struct {
	name  string
	kind  paxos.StepKind
	state stepState
	err   string
}

// membersPanel shows a membership change: its steps (done, running, to
// do), the configuration in force, and the rescan as a progress bar with
// keys done, keys total and rate (drawn here: bubbles/progress needs the
// harmonica module, which is not in go.mod). It learns the plan from Begin and the
// progress from the trace.
type membersPanel struct {
	st   Styles
	keys KeyMap
	w, h int

	op       string
	where    string
	config   cluster.FileConfig
	steps    []memberStep
	finished bool
	keysDone int
	keysAll  int
	rate     float64
}

var _ panel = (*membersPanel)(nil)

func newMembersPanel(st Styles, keys KeyMap) *membersPanel {
	return &membersPanel{st: st, keys: keys}
}

// active reports whether the panel has something to show, so its tab is
// listed.
func (p *membersPanel) active() bool { return p.op != "" || p.where != "" }

// SetSize implements panel.
func (p *membersPanel) SetSize(w, h int) { p.w, p.h = w, h }

// Update implements panel.
func (p *membersPanel) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case memberPlannedMsg:
		p.show(msg.Status)
	case memberStatusMsg:
		p.show(msg.Status)
	case traceBatchMsg:
		for _, r := range msg.Records {
			if e, ok := r.Event.(cluster.MembershipStep); ok {
				p.observe(e)
			}
		}
	}
	return nil
}

// show takes the plan and the configuration of a status.
func (p *membersPanel) show(s MemberStatus) {
	p.where, p.config = s.Where, s.Config
	if s.Plan == nil {
		if len(p.steps) > 0 && !s.Running { // the change on show ended
			for i := range p.steps {
				p.steps[i].state = stepDone
			}
			p.finished = true
		}
		return
	}
	p.op, p.finished, p.keysDone, p.keysAll, p.rate = s.Plan.Op, false, 0, 0, 0
	p.steps = make([]memberStep, len(s.Plan.Steps))
	for i, st := range s.Plan.Steps {
		p.steps[i] = memberStep{name: st.Name, kind: st.Kind}
		if i < s.Done {
			p.steps[i].state = stepDone
		}
	}
}

// observe follows one traced step.
func (p *membersPanel) observe(e cluster.MembershipStep) {
	if e.Op != p.op || len(p.steps) != e.Steps {
		p.op, p.finished, p.steps = e.Op, false, make([]memberStep, e.Steps)
	}
	if e.Phase == cluster.MemberPlanDone {
		for i := range p.steps {
			p.steps[i].state = stepDone
		}
		p.finished, p.config = true, e.Config
		p.where = "finished: configuration " + paxos.Layout(e.Config).String()
		return
	}
	i := e.Step - 1
	if i < 0 || i >= len(p.steps) {
		return
	}
	s := &p.steps[i]
	s.name, s.kind = e.Name, e.Action
	switch e.Phase {
	case cluster.MemberStepStarted:
		s.state, s.err = stepRunning, ""
		if e.Action == paxos.StepRescan {
			p.keysDone, p.keysAll, p.rate = 0, 0, 0
		}
	case cluster.MemberStepProgress:
		s.state = stepRunning
		p.keysDone, p.keysAll, p.rate = e.KeysDone, e.KeysTotal, e.Rate
	case cluster.MemberStepDone:
		s.state = stepDone
		if e.Action == paxos.StepRescan && e.KeysTotal > 0 {
			p.keysDone, p.keysAll, p.rate = e.KeysDone, e.KeysTotal, e.Rate
		}
		if e.Action == paxos.StepConfigure {
			p.config = e.Config
		}
	case cluster.MemberStepFailed:
		s.state, s.err = stepFailed, e.Err
	}
}

// View implements panel.
func (p *membersPanel) View() string {
	if p.w <= 0 || p.h <= 0 {
		return ""
	}
	if !p.active() {
		return fit(p.st.Muted.Render("no membership change yet: type  :member add  to grow the cluster, :help member  for more"), p.w, p.h)
	}
	var lines []string
	head := "membership"
	if p.op != "" {
		head += ": " + p.op + " · " + p.progressWords()
	}
	lines = append(lines, p.st.Header.Render(head))
	if len(p.config.Prepare) > 0 {
		lines = append(lines, "configuration "+paxos.Layout(p.config).String())
	}
	for i, s := range p.steps {
		lines = append(lines, p.stepLine(i, s))
		if s.kind == paxos.StepRescan && (s.state == stepRunning || p.keysAll > 0) {
			lines = append(lines, "     "+p.rescanLine())
		}
		if s.err != "" {
			lines = append(lines, "     "+p.st.Bad.Render(s.err))
		}
	}
	if p.where != "" && len(p.steps) == 0 {
		lines = append(lines, p.st.Muted.Render(p.where))
	}
	return fit(strings.Join(lines, "\n"), p.w, p.h)
}

// progressWords counts the steps done, "step 3 of 5 running".
func (p *membersPanel) progressWords() string {
	done := 0
	for _, s := range p.steps {
		switch s.state {
		case stepDone:
			done++
		case stepFailed:
			return fmt.Sprintf("step %d of %d failed: run the same member command again to resume", done+1, len(p.steps))
		case stepRunning:
			return fmt.Sprintf("step %d of %d running", done+1, len(p.steps))
		}
	}
	if p.finished || done == len(p.steps) {
		return "done"
	}
	return fmt.Sprintf("%d of %d steps done", done, len(p.steps))
}

func (p *membersPanel) stepLine(i int, s memberStep) string {
	mark, style := "·", p.st.Muted
	switch s.state {
	case stepRunning:
		mark, style = "▸", p.st.Warn
	case stepDone:
		mark, style = "✓", p.st.Good
	case stepFailed:
		mark, style = "✗", p.st.Bad
	}
	kind, name := "", s.name
	if s.kind != 0 {
		kind = s.kind.String()
	}
	if name == "" {
		name = "(not started)"
	}
	return style.Render(fmt.Sprintf(" %s %d %-9s %s", mark, i+1, kind, name))
}

// rescanLine is the rescan's progress bar with keys done, total and rate.
func (p *membersPanel) rescanLine() string {
	pct := 0.0
	if p.keysAll > 0 {
		pct = float64(p.keysDone) / float64(p.keysAll)
	}
	text := fmt.Sprintf(" %3.0f%% %d/%d keys · %.0f keys/s", 100*pct, p.keysDone, p.keysAll, p.rate)
	w := max(min(p.w-5-len(text), 40), 10)
	full := int(pct*float64(w) + 0.5)
	return p.st.Good.Render(strings.Repeat("█", full)) + p.st.Muted.Render(strings.Repeat("░", w-full)) + text
}

// ShortHelp implements help.KeyMap.
func (p *membersPanel) ShortHelp() []key.Binding { return nil }

// FullHelp implements help.KeyMap.
func (p *membersPanel) FullHelp() [][]key.Binding { return nil }
