package cluster

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/gryadka/gryadka/paxos"
)

// Direction tells a request from a reply.
type Direction uint8

// The directions of a message.
const (
	DirectionRequest Direction = iota + 1 // proposer to acceptor
	DirectionReply                        // acceptor to proposer
)

// String returns "request" or "reply".
func (d Direction) String() string {
	switch d {
	case DirectionRequest:
		return "request"
	case DirectionReply:
		return "reply"
	}
	return fmt.Sprintf("Direction(%d)", uint8(d))
}

// HeldMessage is a message waiting in the step queue. Summary says what it
// carries: the value of an accept, or the acceptor's answer for a reply.
type HeldMessage struct {
	ID        uint64         `json:"id"`
	Proposer  string         `json:"proposer"`
	Acceptor  string         `json:"acceptor"`
	Direction Direction      `json:"direction"`
	Phase     paxos.Phase    `json:"phase"`
	Ballot    paxos.Ballot   `json:"ballot"`
	Key       string         `json:"key"`
	Change    paxos.ChangeID `json:"change,omitempty"`
	Msg       paxos.MsgID    `json:"msg,omitempty"`
	Summary   string         `json:"summary"`
	Since     time.Time      `json:"since"`
}

// String returns one line for a queue panel, such as
// `#4 a2 → p1 prepare reply, key "k": promise, nothing accepted`.
func (h HeldMessage) String() string {
	from, to := h.Proposer, h.Acceptor
	if h.Direction == DirectionReply {
		from, to = to, from
	}
	return fmt.Sprintf("#%d %s → %s %s %s, key %q: %s", h.ID, from, to, h.Phase, h.Direction, h.Key, h.Summary)
}

// heldMsg is a message in the step queue and the way to release it.
type heldMsg struct {
	HeldMessage
	m       *linkMsg
	verdict chan bool     // receives true to deliver, false to drop; buffered
	done    chan struct{} // closed once a delivered request has executed
	once    sync.Once
}

// settle tells Deliver that a delivered request has executed and that its
// reply is held, lost or returned. It is safe on nil and to repeat.
func (h *heldMsg) settle() {
	if h != nil {
		h.once.Do(func() { close(h.done) })
	}
}

// SetStep turns step mode on or off. While it is on, every request and
// every reply waits in a queue until Deliver or DropHeld decides its fate.
// Turning it off delivers everything held.
func (n *Network) SetStep(on bool) {
	n.mu.Lock()
	if n.step == on {
		n.mu.Unlock()
		return
	}
	n.step = on
	var released []*heldMsg
	if !on {
		released, n.held = n.held, nil
		for _, h := range released {
			h.verdict <- true
			n.traceMsg(h.m, "released", h.ID)
		}
	}
	change := "step off"
	if on {
		change = "step on"
	}
	ev := n.changeLocked(change)
	n.mu.Unlock()
	if len(released) > 0 {
		n.notify()
	}
	n.traceChange(ev)
}

// Step reports whether step mode is on.
func (n *Network) Step() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.step
}

// Held returns the messages waiting in the step queue, oldest first.
func (n *Network) Held() []HeldMessage {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := make([]HeldMessage, len(n.held))
	for i, h := range n.held {
		out[i] = h.HeldMessage
	}
	return out
}

// HeldChanged returns a channel that receives a value whenever the step
// queue changed since the last receive. Bursts of changes are coalesced
// into one value; it has room for one reader, such as the dashboard.
func (n *Network) HeldChanged() <-chan struct{} { return n.changed }

// Deliver lets held message id go on. A request executes on its acceptor,
// and Deliver returns once it has (its reply is then held in turn); this
// takes as long as the acceptor takes to answer. A reply returns to its
// proposer.
func (n *Network) Deliver(id uint64) error {
	h, err := n.decide(id, true)
	if err != nil {
		return err
	}
	if h.Direction == DirectionRequest {
		<-h.done
	}
	return nil
}

// DeliverNext delivers the oldest held message.
func (n *Network) DeliverNext() error {
	n.mu.Lock()
	if len(n.held) == 0 {
		n.mu.Unlock()
		return ErrNothingHeld
	}
	id := n.held[0].ID
	n.mu.Unlock()
	return n.Deliver(id)
}

// DropHeld loses held message id. A dropped request never reaches its
// acceptor; a dropped reply leaves the acceptor changed and its proposer
// uninformed. Either way the caller waits until its context ends.
func (n *Network) DropHeld(id uint64) error {
	_, err := n.decide(id, false)
	return err
}

func (n *Network) decide(id uint64, deliver bool) (*heldMsg, error) {
	n.mu.Lock()
	h := n.unholdLocked(id)
	if h == nil {
		n.mu.Unlock()
		return nil, fmt.Errorf("%w: #%d was delivered, dropped or given up already", ErrNotHeld, id)
	}
	h.verdict <- deliver
	what := "delivered"
	if !deliver {
		what = "dropped " + h.Direction.String()
	}
	n.traceMsg(h.m, what, h.ID)
	n.mu.Unlock()
	n.notify()
	return h, nil
}

func (n *Network) unholdLocked(id uint64) *heldMsg {
	i := slices.IndexFunc(n.held, func(h *heldMsg) bool { return h.ID == id })
	if i < 0 {
		return nil
	}
	h := n.held[i]
	n.held = slices.Delete(n.held, i, i+1)
	return h
}

func (n *Network) notify() {
	select {
	case n.changed <- struct{}{}:
	default:
	}
}

// await holds m in the step queue while step mode is on, until it is
// delivered or dropped or ctx ends. before, if not nil, is the held request
// whose reply m is; it is settled once m is queued. A nil *heldMsg and a nil
// error mean m goes on without waiting.
func (n *Network) await(ctx context.Context, m *linkMsg, d Direction, before *heldMsg) (*heldMsg, error) {
	n.mu.Lock()
	if !n.step || ctx.Err() != nil {
		n.mu.Unlock()
		return nil, nil
	}
	n.heldID++
	h := &heldMsg{HeldMessage: m.heldMessage(n.heldID, d, n.now()), m: m, verdict: make(chan bool, 1), done: make(chan struct{})}
	n.held = append(n.held, h)
	n.traceMsg(m, "held", h.ID)
	n.mu.Unlock()
	before.settle()
	n.notify()

	var deliver bool
	select {
	case deliver = <-h.verdict:
	case <-ctx.Done():
		n.mu.Lock()
		mine := n.unholdLocked(h.ID) != nil
		if mine {
			n.traceMsg(m, "caller gave up while held", h.ID)
		}
		n.mu.Unlock()
		if mine {
			n.notify()
			h.settle()
			return h, fmt.Errorf("cluster: the %s was held in step mode when the caller gave up: %w", d, ctx.Err())
		}
		deliver = <-h.verdict // decided just before ctx ended
	}
	if !deliver {
		// The user dropped it. A proposer would count the vote missing once
		// its round timed out; step mode lengthens rounds so that the user
		// has time to choose, so the loss is reported now instead.
		h.settle()
		return h, fmt.Errorf("%w: %s was dropped in step mode", ErrMessageLost, m.describe(d))
	}
	return h, nil
}

// heldMessage describes m for the step queue.
func (m *linkMsg) heldMessage(id uint64, d Direction, now time.Time) HeldMessage {
	h := HeldMessage{ID: id, Proposer: m.proposer, Acceptor: m.acceptor, Direction: d, Phase: m.phase,
		Ballot: m.ballot, Key: m.key, Change: m.change, Msg: m.msg, Since: now}
	var conflict *paxos.ConflictError
	switch {
	case d == DirectionRequest && m.phase == paxos.PhaseAccept && !m.next.IsZero():
		h.Summary = "value " + quoteValue(m.value) + ", then promise " + m.next.String()
	case d == DirectionRequest && m.phase == paxos.PhaseAccept:
		h.Summary = "value " + quoteValue(m.value)
	case d == DirectionRequest:
		h.Summary = "ballot " + m.ballot.String()
	case errors.As(m.err, &conflict):
		h.Summary = "conflict, it has seen " + conflict.Seen.String()
	case m.err != nil:
		h.Summary = "error: " + m.err.Error()
	case m.phase == paxos.PhaseAccept:
		h.Summary = "accepted"
	case m.promise.Accepted.IsZero():
		h.Summary = "promise, nothing accepted"
	default:
		h.Summary = "promise, accepted " + quoteValue(m.promise.Value) + " at " + m.promise.Accepted.String()
	}
	return h
}

// quoteValue quotes a value for one line, cut to 24 bytes.
func quoteValue(v []byte) string {
	if v == nil {
		return "nil"
	}
	if len(v) > 24 {
		return strconv.Quote(string(v[:24])) + "…"
	}
	return strconv.Quote(string(v))
}
