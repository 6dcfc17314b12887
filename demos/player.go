package demos

import (
	"context"
	"strings"
	"sync"

	"github.com/gryadka/gryadka/tui"
)

// Player plays a script in the dashboard's demo panel (tui.Demo), one part
// of a step at a time. The trace is left to the dashboard's own panels.
type Player struct {
	mu sync.Mutex // one Play at a time, and Close after it
	r  *Runner
	s  *Script
}

var _ tui.Demo = (*Player)(nil)

// NewPlayer returns a player of s on env. Close releases it.
func NewPlayer(ctx context.Context, env tui.Env, s *Script) *Player {
	return &Player{r: NewRunner(ctx, env), s: s}
}

// Close releases the player's runner. A part still playing, as when the
// learner quits mid-step, is cut short first.
func (p *Player) Close() {
	p.r.cancel()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.r.Close()
}

// Title implements tui.Demo.
func (p *Player) Title() string { return p.s.Title }

// Summary implements tui.Demo.
func (p *Player) Summary() string { return p.s.Summary }

// Steps implements tui.Demo.
func (p *Player) Steps() int { return len(p.s.Steps) }

// Play implements tui.Demo. Part 0 of a step starts it afresh, so playing
// a step again replays it on the cluster as it is now.
func (p *Player) Play(step, part int) tui.DemoPart {
	out := tui.DemoPart{Step: step, Part: part}
	if step < 0 || step >= len(p.s.Steps) || part < 0 || part >= Parts(p.s.Steps[step]) {
		return out
	}
	out.Title = p.s.Steps[step].Title
	p.mu.Lock()
	defer p.mu.Unlock()
	var b strings.Builder
	ask, err := p.r.Play(p.s, step, part, &b)
	var lines []string
	for _, l := range strings.Split(b.String(), "\n") {
		if l == "" || strings.HasPrefix(l, "  | ") || strings.HasPrefix(l, "-- step ") {
			continue // the protocol panel shows the trace; the panel titles the step
		}
		lines = append(lines, l)
	}
	out.Text, out.Err = strings.Join(lines, "\n"), err
	if ask != nil {
		out.Question, out.Answer = ask.Text, ask.Answer
	}
	return out
}
