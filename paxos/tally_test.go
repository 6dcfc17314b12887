package paxos

import (
	"testing"
	"testing/quick"
)

// naiveResult decides a vote by trying every way the missing voters could
// still vote: won once enough said yes, lost when no outcome of the rest
// reaches the quorum, pending otherwise.
func naiveResult(needed, voters int, votes []bool) VoteResult {
	yes := 0
	for _, v := range votes {
		if v {
			yes++
		}
	}
	if yes >= needed {
		return VoteWon
	}
	missing := voters - len(votes)
	for mask := range 1 << missing {
		more := 0
		for i := range missing {
			if mask&(1<<i) != 0 {
				more++
			}
		}
		if yes+more >= needed {
			return VotePending
		}
	}
	return VoteLost
}

func TestTally_MatchesEveryOutcomeOfTheMissingVotes(t *testing.T) {
	check := func(voters, needed uint8, votes []bool) bool {
		n := 1 + int(voters)%9
		q := 1 + int(needed)%n
		if len(votes) > n {
			votes = votes[:n]
		}
		tl := tally{needed: q, voters: n}
		for i, v := range votes {
			if want, have := naiveResult(q, n, votes[:i+1]), tl.add(v); want != have {
				t.Logf("%d of %d needed, votes %v: want %s, have %s", q, n, votes[:i+1], want, have)
				return false
			}
		}
		return true
	}
	if err := quick.Check(check, &quick.Config{MaxCount: 5000}); err != nil {
		t.Error(err)
	}
}

func TestTally_StaysDecided(t *testing.T) {
	for name, tc := range map[string]struct {
		needed, voters int
		votes          []bool
		want           []VoteResult
	}{
		"won then a no":      {2, 3, []bool{true, true, false}, []VoteResult{VotePending, VoteWon, VoteWon}},
		"lost then a yes":    {2, 3, []bool{false, false, true}, []VoteResult{VotePending, VoteLost, VoteLost}},
		"all needed, one no": {3, 3, []bool{true, false, true}, []VoteResult{VotePending, VoteLost, VoteLost}},
		"one of five":        {1, 5, []bool{false, false, false, false, true}, []VoteResult{VotePending, VotePending, VotePending, VotePending, VoteWon}},
	} {
		t.Run(name, func(t *testing.T) {
			tl := tally{needed: tc.needed, voters: tc.voters}
			for i, v := range tc.votes {
				if want, have := tc.want[i], tl.add(v); want != have {
					t.Errorf("after vote %d (%v): want %s, have %s", i+1, v, want, have)
				}
			}
		})
	}
}

func TestVoteResult_String(t *testing.T) {
	for r, want := range map[VoteResult]string{VotePending: "pending", VoteWon: "won", VoteLost: "lost"} {
		if have := r.String(); want != have {
			t.Errorf("want %q, have %q", want, have)
		}
	}
}
