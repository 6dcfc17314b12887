package cluster

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gryadka/gryadka/paxos"
)

// Errors of links and step mode.
var (
	// ErrPartitioned means a partition kept a request from its acceptor.
	ErrPartitioned = errors.New("cluster: link is partitioned")
	// ErrMessageLost means a request or its reply was lost on the way, so
	// the caller waited for its context to end. After a lost reply the
	// acceptor has executed the request.
	ErrMessageLost = errors.New("cluster: message lost")
	// ErrBadFault means a fault rule was rejected.
	ErrBadFault = errors.New("cluster: bad link fault")
	// ErrNotHeld means no message with that ID waits in the step queue.
	ErrNotHeld = errors.New("cluster: no such held message")
	// ErrNothingHeld means the step queue is empty.
	ErrNothingHeld = errors.New("cluster: no message is held")
)

// NetworkOptions configure a Network.
type NetworkOptions struct {
	// Tracer, if not nil, receives a LinkEvent for every fault applied to
	// a message and a LinkChanged for every change of the configuration.
	// It may be called while the Network is locked, so it must not call
	// the Network back.
	Tracer paxos.Tracer
	// Seed makes the random faults repeatable: with the same seed, each
	// link makes the same decisions for the same sequence of messages.
	Seed int64
	// Now stamps events (default time.Now).
	Now func() time.Time
}

// Network sits between proposers and acceptors: every proposer reaches
// every acceptor through a link of its own, and the faults configured on
// the Network decide what happens to each message on each link. It is safe
// for concurrent use.
type Network struct {
	tracer paxos.Tracer
	now    func() time.Time
	seed   int64
	sleep  func(context.Context, time.Duration) error // waits out a delay; replaced in tests

	// active is set while a rule exists or step mode is on; links whose
	// Network is inactive pass messages straight through.
	active  atomic.Bool
	changed chan struct{}

	mu     sync.Mutex
	rules  []LinkFault
	rands  map[[2]string]*rand.Rand
	step   bool
	held   []*heldMsg
	heldID uint64
}

// NewNetwork returns a Network whose links are all up.
func NewNetwork(opts NetworkOptions) *Network {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Network{tracer: opts.Tracer, now: opts.Now, seed: opts.Seed, sleep: sleepCtx,
		changed: make(chan struct{}, 1), rands: map[[2]string]*rand.Rand{}}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Link returns a that proposer reaches through the network: its messages
// suffer the faults configured for (proposer, a.Name()). The result has
// a's name. Links of one pair share their random source.
func (n *Network) Link(proposer string, a paxos.Acceptor) paxos.Acceptor {
	return &link{net: n, proposer: proposer, acceptor: a}
}

// Partition cuts the links from proposer to acceptor (either may be Any):
// requests fail at once (FailFast) or wait until their context ends (Hang),
// and replies on their way back are lost.
func (n *Network) Partition(proposer, acceptor string, mode PartitionMode) error {
	return n.set(LinkFault{Proposer: proposer, Acceptor: acceptor, Kind: FaultPartition, Mode: mode})
}

// OneWay lets requests from proposer reach acceptor and execute, but loses
// every reply: the acceptor changes and the proposer never learns it.
func (n *Network) OneWay(proposer, acceptor string) error {
	return n.set(LinkFault{Proposer: proposer, Acceptor: acceptor, Kind: FaultOneWay})
}

// Drop loses each request with probability request and each reply with
// probability reply, drawn independently per message.
func (n *Network) Drop(proposer, acceptor string, request, reply float64) error {
	return n.set(LinkFault{Proposer: proposer, Acceptor: acceptor, Kind: FaultDrop, RequestLoss: request, ReplyLoss: reply})
}

// Delay holds each request for fixed plus a random part of jitter before
// it reaches the acceptor. Jitter reorders concurrent requests of a link.
// A request whose context ends while it is delayed never arrives.
func (n *Network) Delay(proposer, acceptor string, fixed, jitter time.Duration) error {
	return n.set(LinkFault{Proposer: proposer, Acceptor: acceptor, Kind: FaultDelay, Delay: fixed, Jitter: jitter})
}

// Duplicate delivers each request twice with probability prob: the
// acceptor executes it twice in a row, the caller gets the reply of the
// first execution, and the reply of the copy is discarded.
func (n *Network) Duplicate(proposer, acceptor string, prob float64) error {
	return n.set(LinkFault{Proposer: proposer, Acceptor: acceptor, Kind: FaultDuplicate, Probability: prob})
}

// Heal brings the links from proposer to acceptor back up: rules that
// cover only those links are removed, and broader rules stop applying to
// them. Either name may be Any.
func (n *Network) Heal(proposer, acceptor string) error {
	if proposer == "" || acceptor == "" {
		return fmt.Errorf("%w: name a proposer and an acceptor, or %q for any", ErrBadFault, Any)
	}
	n.mu.Lock()
	n.rules = healed(n.rules, proposer, acceptor)
	ev := n.changeLocked("heal " + proposer + " " + acceptor)
	n.mu.Unlock()
	n.traceChange(ev)
	return nil
}

// HealAll removes every fault rule. Step mode stays as it is.
func (n *Network) HealAll() {
	n.mu.Lock()
	n.rules = nil
	ev := n.changeLocked("heal all")
	n.mu.Unlock()
	n.traceChange(ev)
}

// Faults returns the rules in force, in the order they apply.
func (n *Network) Faults() []LinkFault {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]LinkFault(nil), n.rules...)
}

// State returns what the rules do to the link from proposer to acceptor.
func (n *Network) State(proposer, acceptor string) LinkState {
	n.mu.Lock()
	defer n.mu.Unlock()
	return resolveLink(n.rules, proposer, acceptor)
}

func (n *Network) set(f LinkFault) error {
	if err := f.validate(); err != nil {
		return err
	}
	n.mu.Lock()
	n.rules = withRule(n.rules, f)
	ev := n.changeLocked(f.String())
	n.mu.Unlock()
	n.traceChange(ev)
	return nil
}

// changeLocked recomputes active after a change of the rules or of step
// mode, and describes the configuration it left.
func (n *Network) changeLocked(change string) LinkChanged {
	n.active.Store(len(n.rules) > 0 || n.step)
	return LinkChanged{Change: change, Faults: append([]LinkFault(nil), n.rules...), Step: n.step}
}

// linkPlan is what the rules decided for one request when it was sent.
type linkPlan struct {
	state     LinkState
	dropped   bool
	delay     time.Duration
	duplicate bool
}

func (n *Network) plan(m *linkMsg) linkPlan {
	n.mu.Lock()
	defer n.mu.Unlock()
	pl := linkPlan{state: resolveLink(n.rules, m.proposer, m.acceptor)}
	if pl.state.Partitioned {
		return pl
	}
	r := n.randLocked(m)
	if pl.dropped = chance(r, pl.state.RequestLoss); pl.dropped {
		return pl
	}
	pl.delay = delayOf(r, pl.state)
	pl.duplicate = chance(r, pl.state.Duplicate)
	return pl
}

// replyLoss decides, when the reply leaves the acceptor, whether it is
// lost, and why; "" means it goes on.
func (n *Network) replyLoss(m *linkMsg) string {
	n.mu.Lock()
	defer n.mu.Unlock()
	s := resolveLink(n.rules, m.proposer, m.acceptor)
	switch {
	case s.Partitioned:
		return "dropped reply: partitioned"
	case s.OneWay:
		return "dropped reply: one-way link"
	case chance(n.randLocked(m), s.ReplyLoss):
		return "dropped reply"
	}
	return ""
}

func (n *Network) randLocked(m *linkMsg) *rand.Rand {
	k := [2]string{m.proposer, m.acceptor}
	r := n.rands[k]
	if r == nil {
		r = linkRand(n.seed, m.proposer, m.acceptor)
		n.rands[k] = r
	}
	return r
}

// carry takes one request over its link and its reply back, applying the
// faults of the link and step mode; exec runs the request on the acceptor.
func (n *Network) carry(ctx context.Context, m *linkMsg, exec func(context.Context) (paxos.Promise, error)) (paxos.Promise, error) {
	pl := n.plan(m)
	switch {
	case pl.state.Partitioned && pl.state.Mode == FailFast:
		n.traceMsg(m, "blocked by partition", 0)
		return paxos.Promise{}, fmt.Errorf("%w: %s cannot reach %s", ErrPartitioned, m.proposer, m.acceptor)
	case pl.state.Partitioned:
		n.traceMsg(m, "hung by partition", 0)
		<-ctx.Done()
		return paxos.Promise{}, fmt.Errorf("%w: the request from %s to %s hung until the caller gave up: %w",
			ErrPartitioned, m.proposer, m.acceptor, ctx.Err())
	case pl.dropped:
		n.traceMsg(m, "dropped request", 0)
		return n.lost(ctx, m, DirectionRequest)
	}
	if pl.delay > 0 {
		n.traceMsg(m, "delayed "+pl.delay.Round(time.Microsecond).String(), 0)
		if err := n.sleep(ctx, pl.delay); err != nil {
			n.traceMsg(m, "caller gave up while delayed", 0)
			return paxos.Promise{}, fmt.Errorf("cluster: the request from %s to %s was still delayed when the caller gave up: %w",
				m.proposer, m.acceptor, err)
		}
	}
	req, err := n.await(ctx, m, DirectionRequest, nil)
	defer req.settle()
	if err != nil {
		return paxos.Promise{}, err
	}
	p, err := exec(ctx)
	if pl.duplicate {
		n.traceMsg(m, "duplicated", 0)
		_, _ = exec(ctx) // the copy's reply is discarded: the caller gets the first one
	}
	if why := n.replyLoss(m); why != "" {
		n.traceMsg(m, why, 0)
		req.settle()
		return n.lost(ctx, m, DirectionReply)
	}
	m.promise, m.err = p, err
	if _, err := n.await(ctx, m, DirectionReply, req); err != nil {
		return paxos.Promise{}, err
	}
	return p, err
}

// lost waits, as a caller whose message vanished does, until ctx ends.
func (n *Network) lost(ctx context.Context, m *linkMsg, d Direction) (paxos.Promise, error) {
	<-ctx.Done()
	return paxos.Promise{}, fmt.Errorf("%w: %s never arrived, and the caller gave up: %w", ErrMessageLost, m.describe(d), ctx.Err())
}

// describe names the message m carries in direction d, "the request from
// p1 to a2" or "the reply from a2 to p1".
func (m *linkMsg) describe(d Direction) string {
	if d == DirectionReply {
		return fmt.Sprintf("the reply from %s to %s", m.acceptor, m.proposer)
	}
	return fmt.Sprintf("the %s from %s to %s", d, m.proposer, m.acceptor)
}

// link is the Acceptor a proposer sees through a Network.
type link struct {
	net      *Network
	proposer string
	acceptor paxos.Acceptor
}

var _ paxos.Acceptor = (*link)(nil)

// Name implements paxos.Acceptor: a link has its acceptor's name.
func (l *link) Name() string { return l.acceptor.Name() }

// Prepare implements paxos.Acceptor.
func (l *link) Prepare(ctx context.Context, key string, b paxos.Ballot) (paxos.Promise, error) {
	if !l.net.active.Load() {
		return l.acceptor.Prepare(ctx, key, b)
	}
	return l.carryPrepare(ctx, key, b)
}

// carryPrepare is the slow path of Prepare, apart so that the healthy path
// allocates nothing.
func (l *link) carryPrepare(ctx context.Context, key string, b paxos.Ballot) (paxos.Promise, error) {
	return l.net.carry(ctx, l.message(ctx, key, paxos.PhasePrepare, b), func(ctx context.Context) (paxos.Promise, error) {
		return l.acceptor.Prepare(ctx, key, b)
	})
}

// Accept implements paxos.Acceptor.
func (l *link) Accept(ctx context.Context, key string, b paxos.Ballot, value []byte, next paxos.Ballot) error {
	if !l.net.active.Load() {
		return l.acceptor.Accept(ctx, key, b, value, next)
	}
	return l.carryAccept(ctx, key, b, value, next)
}

// carryAccept is the slow path of Accept.
func (l *link) carryAccept(ctx context.Context, key string, b paxos.Ballot, value []byte, next paxos.Ballot) error {
	m := l.message(ctx, key, paxos.PhaseAccept, b)
	m.value, m.next = value, next
	_, err := l.net.carry(ctx, m, func(ctx context.Context) (paxos.Promise, error) {
		return paxos.Promise{}, l.acceptor.Accept(ctx, key, b, value, next)
	})
	return err
}

func (l *link) message(ctx context.Context, key string, phase paxos.Phase, b paxos.Ballot) *linkMsg {
	m := &linkMsg{proposer: l.proposer, acceptor: l.acceptor.Name(), key: key, phase: phase, ballot: b}
	if pm, ok := paxos.MessageFrom(ctx); ok {
		m.change, m.msg = pm.Change, pm.Msg
	}
	return m
}

// linkMsg is one request on a link, and later its reply.
type linkMsg struct {
	proposer, acceptor, key string
	phase                   paxos.Phase
	ballot                  paxos.Ballot
	change                  paxos.ChangeID
	msg                     paxos.MsgID

	value []byte       // accept only
	next  paxos.Ballot // accept only

	promise paxos.Promise // the reply, once executed
	err     error
}
