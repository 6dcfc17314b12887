package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/gryadka/gryadka/check"
	"github.com/gryadka/gryadka/paxos"
	"github.com/gryadka/gryadka/trace"
)

// maxSamples is one minute of ticks.
const maxSamples = int(time.Minute / tickInterval)

// loadPanel shows throughput and latency over the last minute, the
// rates of rounds, conflicts and errors, the 1RTT hit rate, the verdict
// of the live linearizability check and of the protocol invariants.
type loadPanel struct {
	st   Styles
	keys KeyMap
	w, h int

	samples                         *ring[loadSample]
	rounds, oneRTT, conflicts, errs meter
	rates                           [4]float64 // rounds, 1rtt, conflicts, errors per second
	lastTick                        time.Time
	dropped                         uint64

	inv        *invariants
	checks     int
	checkedOps int
	lastCheck  *checkResultMsg
	firstBad   *checkResultMsg
}

var _ panel = (*loadPanel)(nil)

func newLoadPanel(st Styles, keys KeyMap) *loadPanel {
	return &loadPanel{st: st, keys: keys, samples: newRing[loadSample](maxSamples), inv: newInvariants()}
}

// SetSize implements panel.
func (p *loadPanel) SetSize(w, h int) { p.w, p.h = w, h }

// sample adds the workload's rates of one tick.
func (p *loadPanel) sample(s loadSample) { p.samples.push(s) }

// Update implements panel.
func (p *loadPanel) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case traceBatchMsg:
		p.dropped = msg.Dropped
		for _, r := range msg.Records {
			p.inv.apply(r)
			p.count(r)
		}
	case tickMsg:
		if !p.lastTick.IsZero() {
			d := msg.At.Sub(p.lastTick)
			for i, m := range []*meter{&p.rounds, &p.oneRTT, &p.conflicts, &p.errs} {
				m.roll(d)
				p.rates[i] = m.rate
			}
		}
		p.lastTick = msg.At
	case checkResultMsg:
		p.checks++
		p.checkedOps += msg.Result.Ops
		p.lastCheck = &msg
		if msg.Result.Verdict != check.Linearizable && p.firstBad == nil {
			p.firstBad = &msg
		}
	}
	return nil
}

func (p *loadPanel) count(r trace.Record) {
	switch e := r.Event.(type) {
	case paxos.ChangeStarted:
		p.rounds.count++
		if e.OneRTT {
			p.oneRTT.count++
		}
	case paxos.ReplyReceived:
		if !e.Seen.IsZero() {
			p.conflicts.count++
		}
	case paxos.ChangeFinished:
		if !e.Committed {
			p.errs.count++
		}
	}
}

// sparkline draws values as bars, scaled to their maximum, in w cells.
func sparkline(values []float64, w int) string {
	bars := []rune("▁▂▃▄▅▆▇█")
	if len(values) > w {
		values = values[len(values)-w:]
	}
	top := 0.0
	for _, v := range values {
		top = max(top, v)
	}
	out := make([]rune, 0, w)
	for range w - len(values) {
		out = append(out, ' ')
	}
	for _, v := range values {
		i := 0
		if top > 0 {
			i = int(v / top * float64(len(bars)-1))
		}
		out = append(out, bars[clamp(i, 0, len(bars)-1)])
	}
	return string(out)
}

// View implements panel.
func (p *loadPanel) View() string {
	if p.w <= 0 || p.h <= 0 {
		return ""
	}
	n := p.samples.len()
	ops, lat := make([]float64, n), make([]float64, n)
	var last loadSample
	for i := range n {
		s := p.samples.at(i)
		ops[i], lat[i], last = s.OK+s.Refused, float64(s.Latency), s
	}
	sw := max(p.w-24, 4)
	lines := []string{
		fmt.Sprintf("%-10s %s %7.0f/s", "ops", p.st.Spark.Render(sparkline(ops, sw)), last.OK+last.Refused),
		fmt.Sprintf("%-10s %s %9s", "latency", p.st.Spark.Render(sparkline(lat, sw)), trace.Duration(last.Latency)),
		fmt.Sprintf("rounds %.0f/s · conflicts %.0f/s · failed %.0f/s · 1RTT %s",
			p.rates[0], p.rates[2], p.rates[3], p.hitRate()),
		fmt.Sprintf("workload: ok %.0f/s · refused %.0f/s · failed %.0f/s · unknown %.0f/s",
			last.OK, last.Refused, last.Failed, last.Unknown),
		p.checkLine(),
		p.invariantLine(),
	}
	if p.dropped > 0 {
		lines = append(lines, p.st.Warn.Render(fmt.Sprintf("%d trace events not shown: the dashboard fell behind", p.dropped)))
	}
	return fit(strings.Join(lines, "\n"), p.w, p.h)
}

func (p *loadPanel) hitRate() string {
	if p.rates[0] == 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f%%", 100*p.rates[1]/p.rates[0])
}

func (p *loadPanel) checkLine() string {
	switch {
	case p.firstBad != nil && p.firstBad.Result.Verdict == check.Violation:
		r := p.firstBad.Result
		return p.st.Bad.Render(fmt.Sprintf("linearizability: VIOLATION in segment %d on keys %s (%d ops)",
			p.firstBad.Segment, strings.Join(r.Bad, " "), r.Ops))
	case p.firstBad != nil:
		return p.st.Warn.Render(fmt.Sprintf("linearizability: segment %d not verified in time (keys %s)",
			p.firstBad.Segment, strings.Join(p.firstBad.Result.Slow, " ")))
	case p.lastCheck == nil:
		return p.st.Muted.Render("linearizability: checked every 10s while  :load start  runs")
	}
	r := p.lastCheck.Result
	return p.st.Good.Render(fmt.Sprintf("linearizability: ok · %d segments, %d ops · last %d ops, %.0f%% unknown, %s",
		p.checks, p.checkedOps, r.Ops, 100*r.UnknownShare(), trace.Duration(r.Elapsed)))
}

func (p *loadPanel) invariantLine() string {
	if p.inv.violation != "" {
		return p.st.Bad.Render("invariant broken: " + p.inv.violation)
	}
	s := fmt.Sprintf("invariants: ok · %d checks (one value per ballot, prepares see the last commit)", p.inv.checked)
	return p.st.Good.Render(s)
}

// ShortHelp implements help.KeyMap.
func (p *loadPanel) ShortHelp() []key.Binding { return nil }

// FullHelp implements help.KeyMap.
func (p *loadPanel) FullHelp() [][]key.Binding { return nil }
