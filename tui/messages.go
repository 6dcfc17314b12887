package tui

import (
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/gryadka/gryadka/cluster"
	"github.com/gryadka/gryadka/trace"
)

// traceBatchMsg carries the trace records that arrived since the last
// batch. Dropped is the subscription's loss counter so far.
type traceBatchMsg struct {
	Records []trace.Record
	Dropped uint64
}

// traceClosedMsg says the trace subscription ended.
type traceClosedMsg struct{}

// waitForTrace blocks for one record, then drains up to max more without
// blocking, so a burst costs one message and one render. The root model
// re-arms it after each batch.
func waitForTrace(s *trace.Sub, max int) tea.Cmd {
	return func() tea.Msg {
		r, ok := <-s.C()
		if !ok {
			return traceClosedMsg{}
		}
		batch := make([]trace.Record, 1, min(max, 64))
		batch[0] = r
		for len(batch) < max {
			select {
			case r, ok := <-s.C():
				if !ok {
					return traceBatchMsg{Records: batch, Dropped: s.Dropped()}
				}
				batch = append(batch, r)
			default:
				return traceBatchMsg{Records: batch, Dropped: s.Dropped()}
			}
		}
		return traceBatchMsg{Records: batch, Dropped: s.Dropped()}
	}
}

// commandMsg is a command line the user entered and the parser accepted.
type commandMsg struct {
	Cmd  command
	Line string
}

// resultMsg is the outcome of a user action, shown in the status line.
type resultMsg struct {
	Text string
	Err  error
}

// reportCmd turns an error or a text into a resultMsg.
func reportCmd(text string, err error) tea.Cmd {
	return func() tea.Msg { return resultMsg{Text: text, Err: err} }
}

// tickMsg paces sampling: rates, sparklines and the cluster snapshot.
type tickMsg struct{ At time.Time }

// tickEvery schedules the next tickMsg.
func tickEvery(d time.Duration) tea.Cmd {
	return tea.Tick(d, func(t time.Time) tea.Msg { return tickMsg{At: t} })
}

// snapshotMsg is the state of the cluster, read by pollCmd off the UI
// goroutine.
type snapshotMsg struct {
	Nodes     []NodeInfo
	Proposers []ProposerStatus
	Faults    []string
	Held      []HeldMessage
	Step      bool
}

// touchesCluster reports whether a batch holds a node or link change, so
// the cluster snapshot is worth reading again at once.
func touchesCluster(b traceBatchMsg) bool {
	for _, r := range b.Records {
		switch e := r.Event.(type) {
		case cluster.NodeStateChanged, cluster.LinkChanged:
			return true
		case cluster.MembershipStep:
			if e.Phase == cluster.MemberStepDone || e.Phase == cluster.MemberPlanDone {
				return true // the configuration or the nodes changed
			}
		case cluster.LinkEvent:
			if e.Held != 0 {
				return true // the step queue changed
			}
		}
	}
	return false
}

func nodeNames(nodes []NodeInfo) []string {
	out := make([]string, len(nodes))
	for i, n := range nodes {
		out[i] = n.Name
	}
	return out
}

func proposerNames(ps []ProposerStatus) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.ID
	}
	return out
}
