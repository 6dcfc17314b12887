package paxos_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/gryadka/gryadka/paxos"
)

// From the issue: "Every event carries a time, a change ID and a message
// ID, so a viewer can pair requests with replies and group them by change."
func TestTracer_SeesEveryStepOfAChange(t *testing.T) {
	for name, tc := range map[string]struct {
		oneRTT    bool
		wantTrips int
		wantSent  int // messages of the traced change
	}{
		"2rtt": {false, 2, 6},
		"1rtt": {true, 1, 3},
	} {
		t.Run(name, func(t *testing.T) {
			tr := &collector{}
			clock := newFakeClock()
			p := newProposer(t, paxos.Majority(asAcceptors(memAcceptors(3))...),
				paxos.Options{OneRTT: tc.oneRTT, Tracer: tr, Now: clock.Now})
			mustChange(t, p, "k", set("v1"))
			eventually(t, "the first change's replies", func() bool { return len(eventsOf[paxos.ReplyReceived](tr)) == 6 })
			first := lastFinished(t, tr)
			tr.reset()

			ctx := paxos.WithLabel(context.Background(), "set k v2")
			if _, err := p.Change(ctx, "k", set("v2")); err != nil {
				t.Fatal(err)
			}
			eventually(t, "every reply", func() bool { return len(eventsOf[paxos.ReplyReceived](tr)) == tc.wantSent })
			events := tr.all()

			start, ok := events[0].(paxos.ChangeStarted)
			if !ok {
				t.Fatalf("want ChangeStarted first, have %T", events[0])
			}
			if start.OneRTT != tc.oneRTT || start.Batch != 1 || start.Key != "k" || start.Proposer != p.ID() || start.Label != "set k v2" {
				t.Errorf("ChangeStarted: have %+v", start)
			}
			sent := map[paxos.MsgID]paxos.MessageSent{}
			for _, m := range eventsOf[paxos.MessageSent](tr) {
				if _, dup := sent[m.Msg]; dup {
					t.Errorf("message ID %d sent twice", m.Msg)
				}
				sent[m.Msg] = m
				if m.Ballot != start.Ballot {
					t.Errorf("message %d: want ballot %s, have %s", m.Msg, start.Ballot, m.Ballot)
				}
			}
			if want, have := tc.wantSent, len(sent); want != have {
				t.Errorf("messages sent: want %d, have %d", want, have)
			}
			oks := map[paxos.Phase]int{}
			for _, r := range eventsOf[paxos.ReplyReceived](tr) {
				m, ok := sent[r.Msg]
				if !ok || m.Acceptor != r.Acceptor || m.Phase != r.Phase || m.Ballot != r.Ballot {
					t.Errorf("reply %+v does not match its request %+v", r, m)
				}
				// A straggling prepare may reach its acceptor after the
				// accept of the same ballot, and is then refused.
				if !r.OK {
					continue
				}
				oks[r.Phase]++
				if r.Phase == paxos.PhasePrepare && (r.Accepted != first.Ballot || string(r.Value) != "v1") {
					t.Errorf("promise from %s: want %s with v1, have %s with %q", r.Acceptor, first.Ballot, r.Accepted, r.Value)
				}
			}
			if oks[paxos.PhaseAccept] < 2 || !tc.oneRTT && oks[paxos.PhasePrepare] < 2 {
				t.Errorf("want a quorum of OK replies in each phase, have %v", oks)
			}
			var phases []paxos.Phase
			for _, q := range eventsOf[paxos.QuorumDecided](tr) {
				phases = append(phases, q.Phase)
				if q.Result != paxos.VoteWon || q.Acks != 2 || q.Needed != 2 {
					t.Errorf("want a won vote with 2 of 2 needed acks, have %+v", q)
				}
			}
			if want, have := tc.wantTrips, len(phases); want != have || phases[want-1] != paxos.PhaseAccept {
				t.Errorf("decided phases: want %d ending with accept, have %v", want, phases)
			}
			fin := lastFinished(t, tr)
			if !fin.Committed || string(fin.Value) != "v2" || fin.RoundTrips != tc.wantTrips || fin.Ballot != start.Ballot {
				t.Errorf("ChangeFinished: want committed v2 in %d round trips under %s, have %+v", tc.wantTrips, start.Ballot, fin)
			}
			if want, have := fin.At.Sub(start.At), fin.Elapsed; want != have {
				t.Errorf("Elapsed by the injected clock: want %s, have %s", want, have)
			}
			for _, e := range events {
				meta := metaOf(t, e)
				if meta.Change != start.Change || meta.At.Year() != 2000 || meta.Label != "set k v2" {
					t.Errorf("%s: want change %d stamped by the fake clock with the label, have %+v", e.Kind(), start.Change, meta)
				}
			}
		})
	}
}

// metaOf returns the Meta of a proposer event.
func metaOf(t *testing.T, e paxos.Event) paxos.Meta {
	t.Helper()
	switch e := e.(type) {
	case paxos.ChangeStarted:
		return e.Meta
	case paxos.MessageSent:
		return e.Meta
	case paxos.ReplyReceived:
		return e.Meta
	case paxos.QuorumDecided:
		return e.Meta
	case paxos.BallotFastForwarded:
		return e.Meta
	case paxos.ChangeFinished:
		return e.Meta
	}
	t.Fatalf("unknown event %T", e)
	return paxos.Meta{}
}

func TestTracer_SeesConflictsAndFailures(t *testing.T) {
	mems := memAcceptors(3)
	if _, err := mems[0].Prepare(context.Background(), "k", rival); err != nil {
		t.Fatal(err)
	}
	tr := &collector{}
	acc := wrap(mems, map[int]hookFunc{1: failPhase(paxos.PhasePrepare)})
	p := newProposer(t, paxos.Majority(acc...), paxos.Options{Tracer: tr})
	if _, err := p.Change(context.Background(), "k", set("v")); err == nil {
		t.Fatal("want the change to fail")
	}
	eventually(t, "every reply", func() bool { return len(eventsOf[paxos.ReplyReceived](tr)) == 3 })
	for _, r := range eventsOf[paxos.ReplyReceived](tr) {
		switch r.Acceptor {
		case "a1":
			if r.OK || r.Seen != rival || r.Err == "" {
				t.Errorf("a1: want a conflict that saw %s, have %+v", rival, r)
			}
		case "a2":
			if r.OK || !r.Seen.IsZero() || r.Err != errLinkDown.Error() || r.Timeout {
				t.Errorf("a2: want the link error, have %+v", r)
			}
		}
	}
	if ff := eventsOf[paxos.BallotFastForwarded](tr); len(ff) != 1 || ff[0].To.Counter != rival.Counter {
		t.Errorf("want one fast-forward to %d, have %+v", rival.Counter, ff)
	}
	fin := lastFinished(t, tr)
	if fin.Committed || fin.Err == "" || fin.Indefinite || fin.RoundTrips != 1 {
		t.Errorf("want a definite failure after one round trip, have %+v", fin)
	}
}

// MessageFrom lets layers between the proposer and an acceptor report what
// they do to a message; it is set only while tracing.
func TestMessageFrom_NamesTheRequestWhileTracing(t *testing.T) {
	for name, tracing := range map[string]bool{"traced": true, "untraced": false} {
		t.Run(name, func(t *testing.T) {
			type seen struct {
				msg paxos.Message
				ok  bool
			}
			var mu sync.Mutex
			got := map[string]seen{} // by "acceptor/phase"
			hook := func(acceptor string) hookFunc {
				return func(ctx context.Context, ph paxos.Phase, _ string) error {
					m, ok := paxos.MessageFrom(ctx)
					mu.Lock()
					defer mu.Unlock()
					got[acceptor+"/"+ph.String()] = seen{m, ok}
					return nil
				}
			}
			opts := paxos.Options{}
			tr := &collector{}
			if tracing {
				opts.Tracer = tr
			}
			p := newProposer(t, paxos.Majority(wrap(memAcceptors(3), map[int]hookFunc{0: hook("a1"), 1: hook("a2"), 2: hook("a3")})...), opts)
			mustChange(t, p, "k", set("v"))
			eventually(t, "every call", func() bool {
				mu.Lock()
				defer mu.Unlock()
				return len(got) == 6
			})
			mu.Lock()
			defer mu.Unlock()
			if !tracing {
				for k, s := range got {
					if s.ok {
						t.Errorf("%s: want no message without a tracer, have %+v", k, s.msg)
					}
				}
				return
			}
			eventually(t, "every send traced", func() bool { return len(eventsOf[paxos.MessageSent](tr)) == 6 })
			for _, m := range eventsOf[paxos.MessageSent](tr) {
				s := got[m.Acceptor+"/"+m.Phase.String()]
				if !s.ok || s.msg.Msg != m.Msg || s.msg.Phase != m.Phase || s.msg.Ballot != m.Ballot || s.msg.Change != m.Change || s.msg.Key != "k" {
					t.Errorf("%s %s: want the message of %+v, have %+v (ok %v)", m.Acceptor, m.Phase, m, s.msg, s.ok)
				}
			}
		})
	}
}

func TestTracer_NilOrDisabledCostsNothing(t *testing.T) {
	off := &collector{off: true}
	for name, tracer := range map[string]paxos.Tracer{"nil": nil, "disabled": off} {
		t.Run(name, func(t *testing.T) {
			mems := memAcceptors(3)
			if _, err := mems[0].Prepare(context.Background(), "k", rival); err != nil {
				t.Fatal(err)
			}
			acc := wrap(mems, map[int]hookFunc{2: failPhase(paxos.PhaseAccept)})
			p := newProposer(t, paxos.Majority(acc...), paxos.Options{OneRTT: true, Tracer: tracer, RoundTimeout: time.Second})
			changeRetrying(t, p, "k", incr)
			changeRetrying(t, p, "k", incr)
		})
	}
	if n := len(off.all()); n != 0 {
		t.Errorf("a disabled tracer was given %d events", n)
	}
}
