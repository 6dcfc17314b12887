package paxos

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"
)

// round runs one CASPaxos round for a batch of changes of key and returns
// each call's result.
func (p *Proposer) round(key string, batch []*call) []result {
	sc := newScope(batch)
	defer sc.close()
	// The age is read before the configuration and the cache: a round
	// that sees an age raised by the garbage collector also sees the cache
	// generation and counter its Invalidate left (age.go).
	age := p.age.Load()
	cfg := p.config.Load()
	oneRTT := p.oneRTT.Load()
	meta := Meta{Proposer: p.id, Change: ChangeID(p.seq.Add(1)), Key: key, Label: labelOf(batch[0].ctx)}
	start := p.opts.Now()

	// Propose step 1: take a fresh ballot, or, with the one-round-trip
	// optimization, the ballot the previous accept asked a quorum to promise.
	var b Ballot
	var state []byte
	c, fast := p.cache.Get(key)
	fast = fast && oneRTT && c.gen == cfg.gen
	fresh := true
	if fast {
		b, state = c.ballot, c.value
	} else {
		b, fresh = p.nextBallot()
	}
	if p.tracing() {
		meta.At = start
		p.opts.Tracer.Trace(ChangeStarted{Meta: meta, Ballot: b, OneRTT: fast, Batch: len(batch)})
	}
	rtts := 0
	fail := func(phase Phase, indefinite bool, err error) []result {
		p.cache.Remove(key)
		cerr := &ChangeError{Key: key, Phase: phase, Indefinite: indefinite, Err: err}
		p.finish(meta, b, start, rtts, nil, cerr)
		out := make([]result, len(batch))
		for i := range out {
			out[i].err = cerr
		}
		return out
	}

	if !fresh {
		return fail(PhasePrepare, false, ErrBallotsExhausted)
	}
	if !fast {
		// Propose steps 2-3: collect promises from a prepare quorum and
		// take the value accepted with the highest ballot.
		rtts++
		votes, err := p.phase(sc, meta, request{phase: PhasePrepare, ballot: b, age: age}, cfg.Prepare, cfg.PrepareQuorum,
			func(ctx context.Context, a Acceptor) (Promise, error) { return a.Prepare(ctx, key, b) })
		if err != nil {
			return fail(PhasePrepare, false, err)
		}
		state = highest(votes).Value
	}

	// Propose step 4: apply the changes in order.
	state, results := apply(key, state, batch)

	// Propose step 5: ask an accept quorum to accept the new state and,
	// for the next change, to promise the next ballot.
	var next Ballot
	if oneRTT {
		next, _ = p.nextBallot() // exhausted: no promise asked, no caching
	}
	rtts++
	votes, err := p.phase(sc, meta, request{phase: PhaseAccept, ballot: b, next: next, value: state, age: age}, cfg.Accept, cfg.AcceptQuorum,
		func(ctx context.Context, a Acceptor) (Promise, error) {
			return Promise{}, a.Accept(ctx, key, b, state, next)
		})
	if err != nil {
		// Acceptors that refused changed nothing; any other may have
		// accepted, and then a later round may still choose this state.
		return fail(PhaseAccept, refusals(votes) < len(cfg.Accept), err)
	}
	acked := map[string]bool{}
	for _, v := range votes {
		if v.err == nil {
			acked[v.acceptor] = true
		}
	}
	if !next.IsZero() && cfg.holdsPrepareQuorum(acked) {
		p.cache.Add(key, cached{ballot: next, value: state, gen: cfg.gen})
	} else {
		p.cache.Remove(key)
	}
	p.finish(meta, b, start, rtts, state, nil)
	return results
}

func (p *Proposer) finish(meta Meta, b Ballot, start time.Time, rtts int, state []byte, err *ChangeError) {
	if !p.tracing() {
		return
	}
	meta.At = p.opts.Now()
	ev := ChangeFinished{Meta: meta, Ballot: b, Committed: err == nil, Value: bytes.Clone(state),
		RoundTrips: rtts, Elapsed: meta.At.Sub(start)}
	if err != nil {
		ev.Err, ev.Indefinite = err.Err.Error(), err.Indefinite
	}
	p.opts.Tracer.Trace(ev)
}

// apply runs each call's update on the state left by the one before. A
// refused or panicking update leaves the state as it was.
func apply(key string, state []byte, batch []*call) ([]byte, []result) {
	results := make([]result, len(batch))
	for i, c := range batch {
		next, err := safeUpdate(c.update, bytes.Clone(state))
		if err != nil {
			results[i].err = &RefusedError{Key: key, State: bytes.Clone(state), Err: err}
			continue
		}
		state = next
		results[i].value = bytes.Clone(next)
	}
	return state, results
}

func safeUpdate(update UpdateFunc, state []byte) (next []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("update panicked: %v", r)
		}
	}()
	return update(state)
}

// vote is one acceptor's answer in a phase.
type vote struct {
	acceptor string
	promise  Promise
	err      error
}

// phase sends one message to every acceptor of set, one goroutine each,
// and returns the votes received once quorum is decided. Stragglers are
// not waited for: they finish in the background, bounded by RoundTimeout.
// When the vote is lost the error is the highest conflict seen, or
// ErrNoQuorum.
func (p *Proposer) phase(sc *scope, meta Meta, req request, set []Acceptor, quorum int,
	send func(context.Context, Acceptor) (Promise, error)) ([]vote, error) {
	ph := req.phase
	timeout := time.Duration(p.wait.Load())
	replies := make(chan vote, len(set))
	dl := newSharedDeadline(WithAge(sc.ctx, req.age), timeout, len(set))
	for _, a := range set {
		sc.hold()
		go func() {
			defer sc.release()
			defer dl.release()
			msg := MsgID(p.seq.Add(1))
			rctx := dl.ctx
			if p.tracing() {
				p.traceSent(meta, msg, a.Name(), req)
				rctx = context.WithValue(rctx, messageKey{}, Message{Meta: meta, Msg: msg, Phase: req.phase, Ballot: req.ballot})
			}
			sent := time.Now()
			promise, err := send(rctx, a)
			if p.tracing() {
				p.traceReply(meta, msg, a.Name(), req, promise, err, time.Since(sent))
			}
			replies <- vote{acceptor: a.Name(), promise: promise, err: err}
		}()
	}
	t := tally{needed: quorum, voters: len(set)}
	var votes []vote
	for res := VotePending; res == VotePending; {
		v := <-replies
		votes = append(votes, v)
		res = t.add(v.err == nil)
		if res != VotePending && p.tracing() {
			m := meta
			m.At = p.opts.Now()
			p.opts.Tracer.Trace(QuorumDecided{Meta: m, Phase: ph, Result: res, Acks: t.yes, Nacks: t.no, Needed: quorum})
		}
	}
	if t.result() == VoteLost && ph == PhaseAccept && refusals(votes) > 0 {
		// A lost accept is definite only if every acceptor refused it:
		// give the others a moment to answer before calling it unknown.
		votes = settle(replies, votes, len(set), p.opts.SettleTimeout)
	}
	var conflict *ConflictError
	for _, v := range votes {
		if c, ok := asConflict(v.err); ok && (conflict == nil || conflict.Seen.Less(c.Seen)) {
			conflict = c
		}
	}
	if conflict != nil {
		// From the paper: a proposer that sees a conflict "fast-forwards"
		// its counter past the conflicting ballot.
		p.fastForward(meta, conflict.Seen)
	}
	if t.result() == VoteWon {
		return votes, nil
	}
	if conflict != nil {
		return votes, conflict
	}
	for _, v := range votes {
		if IsTooOld(v.err) {
			return votes, v.err
		}
	}
	return votes, fmt.Errorf("%w: %d of %d %s replies, %d needed", ErrNoQuorum, t.yes, len(set), ph, quorum)
}

// sharedDeadline is one deadline for all the messages of a phase, released
// by the last of them: a timer per message would cost every change more.
type sharedDeadline struct {
	ctx    context.Context
	cancel context.CancelFunc
	users  atomic.Int64
}

func newSharedDeadline(parent context.Context, timeout time.Duration, users int) *sharedDeadline {
	d := &sharedDeadline{}
	d.ctx, d.cancel = context.WithTimeout(parent, timeout)
	d.users.Store(int64(users))
	return d
}

func (d *sharedDeadline) release() {
	if d.users.Add(-1) == 0 {
		d.cancel()
	}
}

// settle adds to votes the replies that arrive within d, until all n are in.
func settle(replies <-chan vote, votes []vote, n int, d time.Duration) []vote {
	timer := time.NewTimer(d)
	defer timer.Stop()
	for len(votes) < n {
		select {
		case v := <-replies:
			votes = append(votes, v)
		case <-timer.C:
			return votes
		}
	}
	return votes
}

// request is what a phase sends to each acceptor.
type request struct {
	phase  Phase
	ballot Ballot
	next   Ballot
	value  []byte
	age    uint64
}

func (p *Proposer) traceSent(meta Meta, msg MsgID, acceptor string, req request) {
	meta.At = p.opts.Now()
	p.opts.Tracer.Trace(MessageSent{Meta: meta, Msg: msg, Phase: req.phase, Acceptor: acceptor, Ballot: req.ballot,
		Next: req.next, Value: bytes.Clone(req.value)})
}

func (p *Proposer) traceReply(meta Meta, msg MsgID, acceptor string, req request, pr Promise, err error, lat time.Duration) {
	meta.At = p.opts.Now()
	ev := ReplyReceived{Meta: meta, Msg: msg, Phase: req.phase, Acceptor: acceptor, Ballot: req.ballot, OK: err == nil,
		Accepted: pr.Accepted, Value: bytes.Clone(pr.Value), Latency: lat}
	if c, ok := asConflict(err); ok {
		ev.Seen = c.Seen
	}
	if err != nil {
		ev.Err = err.Error()
		ev.Timeout = isTimeout(err)
	}
	p.opts.Tracer.Trace(ev)
}

// highest returns the promise whose accepted ballot is the highest.
//
// From the paper: "the proposer picks the value of the tuple with the
// highest ballot number" (Propose step 3).
func highest(votes []vote) Promise {
	var best Promise
	for _, v := range votes {
		if v.err == nil && best.Accepted.Less(v.promise.Accepted) {
			best = v.promise
		}
	}
	return best
}

// refusals counts the votes that changed nothing for sure: conflicts and
// refusals by age.
func refusals(votes []vote) int {
	n := 0
	for _, v := range votes {
		if _, ok := asConflict(v.err); ok || IsTooOld(v.err) {
			n++
		}
	}
	return n
}

// scope is the context of one round's requests. It is cancelled once every
// caller in the batch has given up; otherwise only the requests' own
// timeouts end them, so stragglers may finish after the round returned,
// and the context is released when the last of them is done.
type scope struct {
	ctx    context.Context
	cancel context.CancelFunc
	refs   atomic.Int64
	stops  []func() bool
}

func newScope(batch []*call) *scope {
	s := &scope{}
	s.ctx, s.cancel = context.WithCancel(context.WithoutCancel(batch[0].ctx))
	s.refs.Store(1)
	live := atomic.Int64{}
	live.Store(int64(len(batch)))
	for _, c := range batch {
		s.stops = append(s.stops, context.AfterFunc(c.ctx, func() {
			if live.Add(-1) == 0 {
				s.cancel()
			}
		}))
	}
	return s
}

func (s *scope) hold() { s.refs.Add(1) }

func (s *scope) release() {
	if s.refs.Add(-1) == 0 {
		s.cancel()
	}
}

// close detaches the scope from the callers once the round returns.
func (s *scope) close() {
	for _, stop := range s.stops {
		stop()
	}
	s.release()
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.Is(err, context.DeadlineExceeded) || errors.As(err, &t) && t.Timeout()
}

// asConflict finds a *ConflictError in err's chain: layers between the
// proposer and an acceptor may wrap it. The common unwrapped case costs no
// allocation.
func asConflict(err error) (*ConflictError, bool) {
	if err == nil {
		return nil, false
	}
	if c, ok := err.(*ConflictError); ok {
		return c, true
	}
	var c *ConflictError
	return c, errors.As(err, &c)
}
