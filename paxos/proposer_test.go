package paxos_test

import (
	"strings"
	"testing"

	"github.com/gryadka/gryadka/paxos"
)

func TestValidateProposerID(t *testing.T) {
	for name, tc := range map[string]struct {
		id string
		ok bool
	}{
		"letters and digits":  {"p1", true},
		"dash and underscore": {"node-2_b", true},
		"32 characters":       {strings.Repeat("x", 32), true},
		"empty":               {"", false},
		"33 characters":       {strings.Repeat("x", 33), false},
		"ballot separator":    {"p:1", false},
		"incarnation dot":     {"p.1", false},
		"space":               {"p 1", false},
		"non-ASCII":           {"пропозер", false},
	} {
		t.Run(name, func(t *testing.T) {
			err := paxos.ValidateProposerID(tc.id)
			if want, have := tc.ok, err == nil; want != have {
				t.Fatalf("ValidateProposerID(%q): want ok=%v, have %v", tc.id, want, err)
			}
			if err != nil && !strings.Contains(err.Error(), "use 1 to 32 letters, digits, '-' or '_'") {
				t.Errorf("want an error saying what an ID may hold, have %q", err)
			}
		})
	}
}

func TestNewProposer_RefusesBadOptions(t *testing.T) {
	good := paxos.Majority(asAcceptors(memAcceptors(3))...)
	for name, tc := range map[string]struct {
		opts paxos.Options
		want string
	}{
		"bad ID":             {paxos.Options{ID: "p:1", Config: good}, `proposer ID "p:1"`},
		"missing ID":         {paxos.Options{Config: good}, `proposer ID ""`},
		"dotted incarnation": {paxos.Options{ID: "p1", Incarnation: "a.b", Config: good}, `incarnation "a.b"`},
		"empty config":       {paxos.Options{ID: "p1"}, "the prepare set is empty"},
		"unsafe config": {paxos.Options{ID: "p1", Config: paxos.Config{Prepare: good.Prepare, PrepareQuorum: 1,
			Accept: good.Accept, AcceptQuorum: 1}}, "quorums do not intersect"},
	} {
		t.Run(name, func(t *testing.T) {
			p, err := paxos.NewProposer(tc.opts)
			if err == nil {
				t.Fatalf("want an error about %q, have proposer %s", tc.want, p.ID())
			}
			if have := err.Error(); !strings.Contains(have, tc.want) {
				t.Errorf("want an error about %q, have %q", tc.want, have)
			}
		})
	}
}

func TestNewProposer_PicksAFreshIncarnation(t *testing.T) {
	cfg := paxos.Majority(asAcceptors(memAcceptors(3))...)
	seen := map[string]bool{}
	for range 20 {
		p, err := paxos.NewProposer(paxos.Options{ID: "p1", Config: cfg})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(p.ID(), "p1.") || len(p.ID()) <= len("p1.") {
			t.Fatalf("want ID p1.<incarnation>, have %q", p.ID())
		}
		if seen[p.ID()] {
			t.Fatalf("incarnation reused: %q", p.ID())
		}
		seen[p.ID()] = true
	}
	p := newProposer(t, cfg, paxos.Options{ID: "p1", Incarnation: "boot7"})
	if want, have := "p1.boot7", p.ID(); want != have {
		t.Errorf("want ID %q, have %q", want, have)
	}
}

// From the issue: "A restarted proposer must never reuse a ballot it may
// have used before: two values under one ballot break safety."
func TestProposer_RestartWithSameIDNeverReusesABallot(t *testing.T) {
	a := memAcceptors(3)
	cfg := paxos.Majority(asAcceptors(a)...)
	issued := map[paxos.Ballot]string{}
	run := func(incarnation string, oneRTT bool) string {
		tr := &collector{}
		p := newProposer(t, cfg, paxos.Options{ID: "p1", Incarnation: incarnation, OneRTT: oneRTT, Tracer: tr})
		var last string
		for range 3 {
			last = changeRetrying(t, p, "k", incr)
		}
		for _, m := range eventsOf[paxos.MessageSent](tr) {
			for _, b := range []paxos.Ballot{m.Ballot, m.Next} {
				if b.IsZero() {
					continue
				}
				if other, ok := issued[b]; ok && other != incarnation {
					t.Fatalf("ballot %s issued by incarnation %s and again by %s", b, other, incarnation)
				}
				issued[b] = incarnation
			}
		}
		return last
	}
	run("boot1", true)
	run("boot2", true) // the restart: same ID, its counter starts over
	if want, have := "9", run("boot3", false); want != have {
		t.Errorf("no increment may be lost across restarts: want %s, have %s", want, have)
	}
	for b := range issued {
		if !strings.HasPrefix(b.Proposer, "p1.boot") {
			t.Errorf("ballot %s: want the incarnation in its proposer part", b)
		}
	}
}
