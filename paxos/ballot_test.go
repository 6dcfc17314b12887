package paxos_test

import (
	"math"
	"strings"
	"testing"
	"testing/quick"

	"github.com/gryadka/gryadka/paxos"
)

// From the paper: "a ballot number is a tuple of a counter and the
// proposer's ID", ordered by the counter first.
func TestBallot_OrdersByCounterThenProposer(t *testing.T) {
	for name, tc := range map[string]struct {
		a, b paxos.Ballot
		want int
	}{
		"zero equals zero":              {paxos.Ballot{}, paxos.Ballot{}, 0},
		"zero below every ballot":       {paxos.Ballot{}, paxos.Ballot{Counter: 1, Proposer: "a"}, -1},
		"higher counter wins":           {paxos.Ballot{Counter: 2, Proposer: "a"}, paxos.Ballot{Counter: 1, Proposer: "z"}, 1},
		"counter beats proposer":        {paxos.Ballot{Counter: 9, Proposer: "z"}, paxos.Ballot{Counter: 10, Proposer: "a"}, -1},
		"same counter, proposer breaks": {paxos.Ballot{Counter: 7, Proposer: "p1.a"}, paxos.Ballot{Counter: 7, Proposer: "p2.a"}, -1},
		"incarnation breaks a tie":      {paxos.Ballot{Counter: 7, Proposer: "p1.b"}, paxos.Ballot{Counter: 7, Proposer: "p1.a"}, 1},
		"equal ballots":                 {paxos.Ballot{Counter: 7, Proposer: "p1.a"}, paxos.Ballot{Counter: 7, Proposer: "p1.a"}, 0},
		"max counter on top":            {paxos.Ballot{Counter: math.MaxUint64, Proposer: "a"}, paxos.Ballot{Counter: math.MaxUint64 - 1, Proposer: "z"}, 1},
	} {
		t.Run(name, func(t *testing.T) {
			if have := tc.a.Compare(tc.b); tc.want != have {
				t.Errorf("Compare(%s, %s): want %d, have %d", tc.a, tc.b, tc.want, have)
			}
			if want, have := tc.want < 0, tc.a.Less(tc.b); want != have {
				t.Errorf("Less(%s, %s): want %v, have %v", tc.a, tc.b, want, have)
			}
			if want, have := -tc.want, tc.b.Compare(tc.a); want != have {
				t.Errorf("Compare(%s, %s): want %d, have %d", tc.b, tc.a, want, have)
			}
			wantMax := tc.a
			if tc.want < 0 {
				wantMax = tc.b
			}
			if have := paxos.MaxBallot(tc.a, tc.b); wantMax != have {
				t.Errorf("MaxBallot: want %s, have %s", wantMax, have)
			}
		})
	}
}

func TestBallot_TextFormsRoundTrip(t *testing.T) {
	for name, tc := range map[string]struct {
		b                paxos.Ballot
		wantStr, wantWir string
	}{
		"zero":           {paxos.Ballot{}, "0", ""},
		"small":          {paxos.Ballot{Counter: 7, Proposer: "p1.1f3a9c02"}, "7:p1.1f3a9c02", "00000000000000000007:p1.1f3a9c02"},
		"no incarnation": {paxos.Ballot{Counter: 12, Proposer: "node_2"}, "12:node_2", "00000000000000000012:node_2"},
		"max counter": {paxos.Ballot{Counter: math.MaxUint64, Proposer: "p-9.x"},
			"18446744073709551615:p-9.x", "18446744073709551615:p-9.x"},
	} {
		t.Run(name, func(t *testing.T) {
			if have := tc.b.String(); tc.wantStr != have {
				t.Errorf("String: want %q, have %q", tc.wantStr, have)
			}
			if have := tc.b.Wire(); tc.wantWir != have {
				t.Errorf("Wire: want %q, have %q", tc.wantWir, have)
			}
			for _, s := range []string{tc.b.String(), tc.b.Wire()} {
				have, err := paxos.ParseBallot(s)
				if err != nil {
					t.Fatalf("ParseBallot(%q): %v", s, err)
				}
				if tc.b != have {
					t.Errorf("ParseBallot(%q): want %+v, have %+v", s, tc.b, have)
				}
			}
		})
	}
}

func TestParseBallot_RejectsMalformedForms(t *testing.T) {
	for name, tc := range map[string]struct {
		in   string
		want string // a phrase the error must contain
	}{
		"no separator":           {"7p1", "want COUNTER:PROPOSER"},
		"no counter":             {":p1", "want COUNTER:PROPOSER"},
		"no proposer":            {"7:", "want COUNTER:PROPOSER"},
		"counter too long":       {"000000000000000000007:p1", "want COUNTER:PROPOSER"},
		"signed counter":         {"+7:p1", "not a decimal number"},
		"negative counter":       {"-7:p1", "not a decimal number"},
		"hex counter":            {"0x7:p1", "not a decimal number"},
		"space in counter":       {" 7:p1", "not a decimal number"},
		"counter overflows":      {"18446744073709551616:p1", "out of range"},
		"counter zero":           {"0:p1", "counter 0 is reserved"},
		"wire counter zero":      {"00000000000000000000:p1", "counter 0 is reserved"},
		"bad proposer character": {"7:p 1", "use 1 to 32 letters"},
		"second colon":           {"7:p1:x", "use 1 to 32 letters"},
		"empty proposer ID":      {"7:.inc", "use 1 to 32 letters"},
		"proposer ID too long":   {"7:" + strings.Repeat("p", 33), "use 1 to 32 letters"},
		"empty incarnation":      {"7:p1.", "bad incarnation"},
		"two dots":               {"7:p1.a.b", "bad incarnation"},
		"non-ASCII":              {"7:pé", "use 1 to 32 letters"},
	} {
		t.Run(name, func(t *testing.T) {
			b, err := paxos.ParseBallot(tc.in)
			if err == nil {
				t.Fatalf("ParseBallot(%q): want an error, have %+v", tc.in, b)
			}
			if have := err.Error(); !strings.Contains(have, tc.want) || !strings.HasPrefix(have, "paxos: malformed ballot") {
				t.Errorf("ParseBallot(%q): want an error about %q, have %q", tc.in, tc.want, have)
			}
		})
	}
}

// The Lua scripts compare wire forms as strings, so byte order of wire
// forms must be ballot order over the whole counter range.
func TestBallot_WireByteOrderIsBallotOrder(t *testing.T) {
	proposers := []string{"a", "a.0", "a-b", "p", "p1", "p1.1f3a", "p1.1f3b", "p10", "P1", "_", "z.z"}
	check := func(c1, c2 uint64, i, j uint8, shift uint8) bool {
		// Shifting right spreads the counters over every magnitude, so
		// the width of the decimal form varies, not only its top digits.
		c1 = max(c1>>(shift%64), 1)
		c2 = max(c2>>((shift/2)%64), 1)
		a := paxos.Ballot{Counter: c1, Proposer: proposers[int(i)%len(proposers)]}
		b := paxos.Ballot{Counter: c2, Proposer: proposers[int(j)%len(proposers)]}
		return a.Compare(b) == strings.Compare(a.Wire(), b.Wire())
	}
	if err := quick.Check(check, &quick.Config{MaxCount: 20000}); err != nil {
		t.Error(err)
	}
	edges := map[string][2]uint64{
		"one digit more":   {9, 10},
		"ten digits":       {999_999_999, 1_000_000_000},
		"nineteen digits":  {9_999_999_999_999_999_999 / 10, 1_000_000_000_000_000_000},
		"twenty digits":    {9_999_999_999_999_999_999, 10_000_000_000_000_000_000},
		"top of the range": {math.MaxUint64 - 1, math.MaxUint64},
	}
	for name, e := range edges {
		t.Run(name, func(t *testing.T) {
			for i := range 2 {
				if !check(e[i], e[1-i], 0, 3, 0) {
					t.Errorf("counters %d and %d: wire order differs from ballot order", e[i], e[1-i])
				}
			}
		})
	}
}

// FuzzParseBallot checks that whatever parses prints back to a form that
// parses to the same ballot, in both text forms.
func FuzzParseBallot(f *testing.F) {
	for _, s := range []string{
		"", "0", "7:p1.1f3a9c02", "00000000000000000007:p1.1f3a9c02", "18446744073709551615:p-9.x",
		"12:node_2", "7:p1.", "7:p1.a.b", "0:p1", "+7:p1", "18446744073709551616:p1", "7:" + strings.Repeat("p", 33),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := paxos.ParseBallot(s)
		if err != nil {
			return
		}
		if b.IsZero() != (s == "" || s == "0") {
			t.Fatalf("ParseBallot(%q) = %+v: only \"\" and \"0\" are the zero ballot", s, b)
		}
		for _, form := range []string{b.String(), b.Wire()} {
			have, err := paxos.ParseBallot(form)
			if err != nil {
				t.Fatalf("ParseBallot(%q) = %+v, but its form %q does not parse: %v", s, b, form, err)
			}
			if b != have {
				t.Fatalf("round trip of %q through %q: want %+v, have %+v", s, form, b, have)
			}
		}
		if !b.IsZero() && len(b.Wire()) != 21+len(b.Proposer) {
			t.Fatalf("Wire(%+v) = %q: want a 20-digit counter", b, b.Wire())
		}
	})
}
