package paxos

import (
	"encoding/json"
	"testing"
)

func TestText_RoundTrip(t *testing.T) {
	type doc struct {
		B Ballot     `json:"b"`
		P Phase      `json:"p"`
		R VoteResult `json:"r"`
	}
	tests := map[string]struct {
		in   doc
		want string
	}{
		"zero ballot": {doc{Ballot{}, PhasePrepare, VotePending}, `{"b":"0","p":"prepare","r":"pending"}`},
		"accept won":  {doc{Ballot{7, "p1.x"}, PhaseAccept, VoteWon}, `{"b":"7:p1.x","p":"accept","r":"won"}`},
		"lost":        {doc{Ballot{1<<64 - 1, "p2"}, PhasePrepare, VoteLost}, `{"b":"18446744073709551615:p2","p":"prepare","r":"lost"}`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			have, err := json.Marshal(tc.in)
			if err != nil || string(have) != tc.want {
				t.Fatalf("want %s, have %s (%v)", tc.want, have, err)
			}
			var back doc
			if err := json.Unmarshal(have, &back); err != nil || back != tc.in {
				t.Fatalf("want %+v back, have %+v (%v)", tc.in, back, err)
			}
		})
	}
	for _, bad := range []string{`{"b":"x:"}`, `{"p":"commit"}`, `{"r":"maybe"}`} {
		if err := json.Unmarshal([]byte(bad), new(doc)); err == nil {
			t.Errorf("%s: want an error, have none", bad)
		}
	}
}
