package paxos_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gryadka/gryadka/paxos"
)

// From the paper: the proposer "waits for the F+1 confirmations"; a node
// that fails or does not answer is a missing vote, and the change goes on
// as soon as a quorum has answered.
func TestProposer_CommitsWithAQuorumWhileOneAcceptorHangs(t *testing.T) {
	for name, oneRTT := range map[string]bool{"2rtt": false, "1rtt": true} {
		t.Run(name, func(t *testing.T) {
			g := newGate(t)
			mems := memAcceptors(3)
			p := newProposer(t, paxos.Majority(wrap(mems, map[int]hookFunc{2: g.block})...), paxos.Options{OneRTT: oneRTT})
			for i, want := range []string{"1", "2", "3"} {
				if have := mustChange(t, p, "k", incr); want != have {
					t.Errorf("change %d: want %q, have %q", i+1, want, have)
				}
			}
			if have := mems[2].State("k"); !have.Accepted.IsZero() {
				t.Errorf("a3 is blocked: want nothing accepted, have %s", have.Accepted)
			}
		})
	}
}

// A slow acceptor answers after the change has returned: the result did
// not wait for it, and its late answer still lands.
func TestProposer_SlowAcceptorNeverDelaysTheResult(t *testing.T) {
	g := newGate(t)
	mems := memAcceptors(3)
	p := newProposer(t, paxos.Majority(wrap(mems, map[int]hookFunc{0: g.block})...), paxos.Options{})
	if want, have := "v", mustChange(t, p, "k", set("v")); want != have {
		t.Fatalf("want %q, have %q", want, have)
	}
	g.open() // only now does the slow acceptor answer
	eventually(t, "the slow acceptor to catch up", func() bool { return string(mems[0].State("k").Value) == "v" })
}

func TestProposer_FailsWithoutAQuorum(t *testing.T) {
	for name, tc := range map[string]struct {
		hooks        func(g *gate) map[int]hookFunc
		timeout      time.Duration // of the caller's context; 0 for none
		roundTimeout time.Duration // 0 for the default
		wantPhase    paxos.Phase
		wantIndef    bool
	}{
		"two refuse connections": {
			hooks: func(*gate) map[int]hookFunc {
				return map[int]hookFunc{0: failPhase(paxos.PhasePrepare), 2: failPhase(paxos.PhasePrepare)}
			},
			wantPhase: paxos.PhasePrepare,
		},
		"two hang past the round timeout": {
			hooks:        func(g *gate) map[int]hookFunc { return map[int]hookFunc{0: g.block, 1: g.block} },
			roundTimeout: 50 * time.Millisecond,
			wantPhase:    paxos.PhasePrepare,
		},
		"two hang until the caller gives up": {
			hooks:     func(g *gate) map[int]hookFunc { return map[int]hookFunc{1: g.block, 2: g.block} },
			timeout:   20 * time.Millisecond,
			wantPhase: paxos.PhasePrepare,
		},
		"two fail the accept": {
			hooks: func(*gate) map[int]hookFunc {
				return map[int]hookFunc{0: failPhase(paxos.PhaseAccept), 1: failPhase(paxos.PhaseAccept)}
			},
			wantPhase: paxos.PhaseAccept, wantIndef: true,
		},
	} {
		t.Run(name, func(t *testing.T) {
			g := newGate(t)
			tr := &collector{}
			p := newProposer(t, paxos.Majority(wrap(memAcceptors(3), tc.hooks(g))...),
				paxos.Options{RoundTimeout: tc.roundTimeout, Tracer: tr})
			ctx := context.Background()
			if tc.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tc.timeout)
				defer cancel()
			}
			_, err := p.Change(ctx, "k", set("v"))
			if !errors.Is(err, paxos.ErrNoQuorum) {
				t.Fatalf("want ErrNoQuorum, have %v", err)
			}
			var ce *paxos.ChangeError
			if !errors.As(err, &ce) {
				t.Fatalf("want a *ChangeError, have %T", err)
			}
			if want, have := tc.wantPhase, ce.Phase; want != have {
				t.Errorf("Phase: want %s, have %s", want, have)
			}
			if want, have := tc.wantIndef, ce.Indefinite; want != have {
				t.Errorf("Indefinite: want %v, have %v", want, have)
			}
			decided := eventsOf[paxos.QuorumDecided](tr)
			last := decided[len(decided)-1]
			if last.Result != paxos.VoteLost || last.Nacks != 2 || last.Needed != 2 {
				t.Errorf("want the last phase lost with 2 nacks of 2 needed, have %+v", last)
			}
		})
	}
}

// A reply that never came is traced as a timeout, so a viewer can tell a
// hung node from a refusing one.
func TestProposer_TracesAHungAcceptorAsATimeout(t *testing.T) {
	g := newGate(t)
	tr := &collector{}
	p := newProposer(t, paxos.Majority(wrap(memAcceptors(3), map[int]hookFunc{0: g.block, 1: g.block})...),
		paxos.Options{RoundTimeout: 20 * time.Millisecond, Tracer: tr})
	if _, err := p.Change(context.Background(), "k", set("v")); !errors.Is(err, paxos.ErrNoQuorum) {
		t.Fatalf("want ErrNoQuorum, have %v", err)
	}
	// a3 answers, unless a loaded machine delays it past the timeout too,
	// and then a hung acceptor's reply may be traced after Change returned.
	hung := func() []paxos.ReplyReceived {
		var out []paxos.ReplyReceived
		for _, r := range eventsOf[paxos.ReplyReceived](tr) {
			if r.Acceptor != "a3" {
				out = append(out, r)
			}
		}
		return out
	}
	eventually(t, "both hung replies", func() bool { return len(hung()) == 2 })
	for _, r := range hung() {
		if !r.Timeout || r.OK || r.Err == "" {
			t.Errorf("%s: want a timed-out failure with a reason, have %+v", r.Acceptor, r)
		}
	}
}
