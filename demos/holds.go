package demos

import (
	"fmt"
	"io"
	"slices"
	"sync"
	"time"

	"github.com/gryadka/gryadka/tui"
)

// pumpInterval is how often held messages no rule keeps are let go.
const pumpInterval = 5 * time.Millisecond

// holds keeps the messages a script holds, on top of the dashboard's step
// mode: while any rule is set, step mode is on and a pump delivers every
// held message that no rule keeps.
type holds struct {
	links tui.Links

	mu    sync.Mutex
	rules []Pattern
	auto  map[uint64]bool // the messages the pump let go
	stopc chan struct{}
	done  chan struct{}
}

func newHolds(l tui.Links) *holds { return &holds{links: l} }

// matches reports whether held message m is one p selects.
func (p Pattern) matches(m tui.HeldMessage) bool {
	return (p.Phase == 0 || p.Phase == m.Phase) && p.Replies == m.Reply &&
		(p.Acceptor == "" || p.Acceptor == m.Acceptor) && (p.Proposer == "" || p.Proposer == m.Proposer)
}

// active reports whether the pump runs.
func (h *holds) active() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.stopc != nil
}

// add sets a rule and starts the pump if it is the first.
func (h *holds) add(p Pattern) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.rules = append(h.rules, p)
	if h.stopc == nil {
		h.stopc, h.done = make(chan struct{}), make(chan struct{})
		go h.pump(h.stopc, h.done)
	}
}

// remove drops the rule p and reports whether there was one, and whether
// any rule is left.
func (h *holds) remove(p Pattern) (found, left bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	i := slices.Index(h.rules, p)
	if i < 0 {
		return false, len(h.rules) > 0
	}
	h.rules = slices.Delete(h.rules, i, i+1)
	return true, len(h.rules) > 0
}

// stop ends the pump and forgets the rules.
func (h *holds) stop() {
	h.mu.Lock()
	stopc, done := h.stopc, h.done
	h.stopc, h.rules, h.auto = nil, nil, nil
	h.mu.Unlock()
	if stopc != nil {
		close(stopc)
		<-done
	}
}

// kept reports whether a rule keeps m.
func (h *holds) kept(m tui.HeldMessage) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.ContainsFunc(h.rules, func(p Pattern) bool { return p.matches(m) })
}

// wentOn reports whether the pump let held message id go, so its holding
// is bookkeeping, not news.
func (h *holds) wentOn(id uint64) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.auto[id]
}

// matching counts the held messages some rule keeps.
func (h *holds) matching() int {
	if h.links == nil {
		return 0
	}
	n := 0
	for _, m := range h.links.Held() {
		if h.kept(m) {
			n++
		}
	}
	return n
}

func (h *holds) pump(stop, done chan struct{}) {
	defer close(done)
	t := time.NewTicker(pumpInterval)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		for _, m := range h.links.Held() {
			if !h.kept(m) && h.links.Deliver(m.ID) == nil {
				h.mu.Lock()
				if h.auto == nil {
					h.auto = map[uint64]bool{}
				}
				h.auto[m.ID] = true
				h.mu.Unlock()
			}
		}
	}
}

// message runs hold, release, deliver and drop.
func (r *Runner) message(x Stmt, w io.Writer) error {
	if r.env.Links == nil {
		return fmt.Errorf("%w: %s: this cluster's links cannot hold messages", ErrStatement, x.Kind)
	}
	p := x.Pattern
	switch x.Kind {
	case KindHold:
		if !r.held.active() {
			if _, err := r.ex.Exec("step on"); err != nil {
				return fmt.Errorf("%w: hold %s: %w", ErrStatement, p, err)
			}
		}
		r.held.add(p)
		fmt.Fprintf(w, "  ⏸ hold %s\n", p)
		return nil
	case KindRelease:
		found, left := r.held.remove(p)
		if !found {
			return fmt.Errorf("%w: release %s: no hold statement holds exactly these messages", ErrStatement, p)
		}
		fmt.Fprintf(w, "  ▶ release %s\n", p)
		r.each(p, true)
		if !left {
			r.held.stop()
			if _, err := r.ex.Exec("step off"); err != nil {
				return fmt.Errorf("%w: release %s: %w", ErrStatement, p, err)
			}
		}
	default:
		deliver := x.Kind == KindDeliver
		fmt.Fprintf(w, "  ▶ %s %s\n", x.Kind, p)
		deadline := time.Now().Add(heldTimeout)
		for r.each(p, deliver) == 0 {
			if time.Now().After(deadline) {
				return fmt.Errorf("%w: %s %s: no such message was held within %s", ErrStatement, x.Kind, p, heldTimeout)
			}
			time.Sleep(2 * time.Millisecond)
		}
	}
	r.narrate(w)
	return nil
}

// each delivers, or drops, every held message p selects and counts them.
func (r *Runner) each(p Pattern, deliver bool) int {
	n := 0
	for _, m := range r.env.Links.Held() {
		if !p.matches(m) {
			continue
		}
		var err error
		if deliver {
			err = r.env.Links.Deliver(m.ID)
		} else {
			err = r.env.Links.DropHeld(m.ID)
		}
		if err == nil {
			n++
		}
	}
	return n
}
