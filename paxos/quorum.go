package paxos

import (
	"fmt"
	"strings"
)

// VoteResult is the state of a phase's vote.
type VoteResult uint8

// The results of a vote.
const (
	VotePending VoteResult = iota // not decided yet
	VoteWon                       // a quorum agreed
	VoteLost                      // a quorum can no longer agree
)

// String returns "pending", "won" or "lost".
func (r VoteResult) String() string {
	return [...]string{"pending", "won", "lost"}[r]
}

// MarshalText implements encoding.TextMarshaler.
func (r VoteResult) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (r *VoteResult) UnmarshalText(text []byte) error {
	for v := VotePending; v <= VoteLost; v++ {
		if v.String() == string(text) {
			*r = v
			return nil
		}
	}
	return fmt.Errorf("paxos: unknown vote result %q", text)
}

// tally counts the votes of one phase. It is pure: no goroutines, no I/O.
type tally struct {
	needed, voters int
	yes, no        int
}

// add records one vote and returns the result so far.
func (t *tally) add(ok bool) VoteResult {
	if ok {
		t.yes++
	} else {
		t.no++
	}
	return t.result()
}

func (t *tally) result() VoteResult {
	switch {
	case t.yes >= t.needed:
		return VoteWon
	case t.voters-t.no < t.needed:
		return VoteLost
	}
	return VotePending
}

// Config says who votes in each phase and how many votes win it. Flexible
// quorums let the two phases differ, which is what makes membership change
// possible. A Config is immutable once given to a proposer.
type Config struct {
	Prepare       []Acceptor
	PrepareQuorum int
	Accept        []Acceptor
	AcceptQuorum  int

	// Unsafe accepts quorums that do not intersect. Such a cluster can
	// lose acknowledged writes; it exists for tests and teaching.
	Unsafe bool
}

// Majority returns the classic configuration: every acceptor votes in both
// phases and a majority wins each.
func Majority(acceptors ...Acceptor) Config {
	q := len(acceptors)/2 + 1
	return Config{Prepare: acceptors, PrepareQuorum: q, Accept: acceptors, AcceptQuorum: q}
}

// Validate explains what is wrong with c, or returns nil. Every prepare
// quorum must share an acceptor with every accept quorum, which holds
// exactly when PrepareQuorum + AcceptQuorum exceeds the number of distinct
// acceptors in the two sets.
func (c Config) Validate() error {
	if err := validateSet("prepare", c.Prepare, c.PrepareQuorum); err != nil {
		return err
	}
	if err := validateSet("accept", c.Accept, c.AcceptQuorum); err != nil {
		return err
	}
	union := len(c.union())
	if !c.Unsafe && c.PrepareQuorum+c.AcceptQuorum <= union {
		return fmt.Errorf("%w: a prepare quorum of %d and an accept quorum of %d among %d acceptors can be disjoint, "+
			"so a change could miss a value already chosen; the two quorums must add up to more than %d",
			ErrUnsafeConfig, c.PrepareQuorum, c.AcceptQuorum, union, union)
	}
	return nil
}

func validateSet(phase string, set []Acceptor, quorum int) error {
	if len(set) == 0 {
		return fmt.Errorf("paxos: the %s set is empty", phase)
	}
	if quorum < 1 || quorum > len(set) {
		return fmt.Errorf("paxos: %s quorum %d is impossible with %d acceptors", phase, quorum, len(set))
	}
	seen := map[string]bool{}
	for _, a := range set {
		if seen[a.Name()] {
			return fmt.Errorf("paxos: acceptor %s appears twice in the %s set", a.Name(), phase)
		}
		seen[a.Name()] = true
	}
	return nil
}

func (c Config) union() map[string]bool {
	names := map[string]bool{}
	for _, a := range c.Prepare {
		names[a.Name()] = true
	}
	for _, a := range c.Accept {
		names[a.Name()] = true
	}
	return names
}

// holdsPrepareQuorum reports whether the acceptors named in acked include a
// prepare quorum. An accept acknowledged by such a set also counts as the
// prepare of the next ballot (the one-round-trip optimization).
func (c Config) holdsPrepareQuorum(acked map[string]bool) bool {
	n := 0
	for _, a := range c.Prepare {
		if acked[a.Name()] {
			n++
		}
	}
	return n >= c.PrepareQuorum
}

// QuorumMissing says which phase of c cannot win with only the acceptors
// named in reachable ("1 of the 3 prepare nodes answered, 2 needed"), or
// returns "" when both can.
func (c Config) QuorumMissing(reachable map[string]bool) string {
	for _, phase := range []struct {
		name   string
		set    []Acceptor
		quorum int
	}{{"prepare", c.Prepare, c.PrepareQuorum}, {"accept", c.Accept, c.AcceptQuorum}} {
		n := 0
		for _, a := range phase.set {
			if reachable[a.Name()] {
				n++
			}
		}
		if n < phase.quorum {
			return fmt.Sprintf("%d of the %d %s nodes answered, %d needed", n, len(phase.set), phase.name, phase.quorum)
		}
	}
	return ""
}

// String describes c, "prepare 2/3 [a1 a2 a3] accept 2/3 [a1 a2 a3]".
func (c Config) String() string {
	return fmt.Sprintf("prepare %d/%d %s accept %d/%d %s", c.PrepareQuorum, len(c.Prepare), names(c.Prepare),
		c.AcceptQuorum, len(c.Accept), names(c.Accept))
}

func names(set []Acceptor) string {
	s := make([]string, len(set))
	for i, a := range set {
		s[i] = a.Name()
	}
	return "[" + strings.Join(s, " ") + "]"
}
