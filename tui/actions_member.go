package tui

import (
	"context"
	"fmt"
	"time"

	tea "github.com/charmbracelet/bubbletea"
)

// memberTimeout bounds a whole membership change, rescan included.
const memberTimeout = time.Hour

// memberCmd plans a membership change and shows its plan; the change
// runs once it is planned (memberPlanned). member status only shows
// where membership stands.
func (m *Model) memberCmd(c memberCommand, line string) tea.Cmd {
	members := m.env.Members
	if members == nil {
		return reportCmd("", fmt.Errorf("%w: this dashboard cannot change the cluster's membership; "+
			"run  gryadka member add|remove|replace --cluster FILE  instead", ErrUnavailable))
	}
	m.setTab(tabMembers)
	if c.Op == "status" {
		return func() tea.Msg {
			s := members.Status()
			return tea.BatchMsg{
				func() tea.Msg { return memberStatusMsg{Status: s} },
				reportCmd(s.Where, nil),
			}
		}
	}
	ctx := m.ctx
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, 4*actionTimeout)
		defer cancel()
		s, err := members.Begin(ctx, MemberChange{Op: c.Op, Node: c.Node, Addr: c.Addr})
		if err != nil {
			return resultMsg{Err: fmt.Errorf("%s: %w", line, err)}
		}
		return memberPlannedMsg{Line: line, Status: s}
	}
}

// memberPlanned shows a planned change and runs it.
func (m *Model) memberPlanned(msg memberPlannedMsg) tea.Cmd {
	m.members.Update(msg)
	members, ctx := m.env.Members, m.ctx
	return tea.Batch(reportCmd(fmt.Sprintf("%s: %d steps planned, running", msg.Line, len(msg.Status.Plan.Steps)), nil),
		func() tea.Msg {
			ctx, cancel := context.WithTimeout(ctx, memberTimeout)
			defer cancel()
			err := members.Run(ctx)
			s := members.Status()
			res := resultMsg{Text: msg.Line + ": done; " + s.Where}
			if err != nil {
				res = resultMsg{Err: fmt.Errorf("%s: %w", msg.Line, err)}
			}
			return tea.BatchMsg{
				func() tea.Msg { return memberStatusMsg{Status: s} },
				func() tea.Msg { return res },
			}
		})
}

// gcCmd collects a key now, or turns the background collector on or off.
func (m *Model) gcCmd(c gcCommand, line string) tea.Cmd {
	g := m.env.GC
	if g == nil {
		return reportCmd("", fmt.Errorf("%w: this dashboard cannot collect garbage: every proposer that writes the keys must take part, "+
			"and they are not all in this process", ErrUnavailable))
	}
	if c.Key == "" {
		return func() tea.Msg {
			if err := g.SetRunning(c.Run); err != nil {
				return resultMsg{Err: err}
			}
			return resultMsg{Text: line + ": done"}
		}
	}
	m.setTab(tabLog) // the steps show there, as gc.step events
	ctx := m.ctx
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, 4*actionTimeout)
		defer cancel()
		text, err := g.Collect(ctx, c.Key)
		if err != nil {
			return resultMsg{Err: err}
		}
		return resultMsg{Text: text}
	}
}
