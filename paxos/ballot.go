package paxos

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Ballot orders proposals: first by Counter, then by Proposer. The zero
// Ballot is smaller than every ballot a proposer issues and means "none".
//
// From the paper: "Each proposer has a unique ID ... a ballot number is a
// tuple of a counter and the proposer's ID."
type Ballot struct {
	Counter  uint64
	Proposer string // proposer ID with its incarnation, see ProposerID
}

// counterWidth is the number of digits of a counter in the wire form; it
// holds every uint64, so the Lua scripts can compare counters as text.
const counterWidth = 20

var proposerIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,32}$`)

// ValidateProposerID reports why id cannot name a proposer, or nil. IDs are
// 1 to 32 characters from [A-Za-z0-9_-], so they never contain the
// separators of the ballot's text form.
func ValidateProposerID(id string) error {
	if !proposerIDPattern.MatchString(id) {
		return fmt.Errorf("paxos: proposer ID %q: use 1 to 32 letters, digits, '-' or '_'", id)
	}
	return nil
}

// IsZero reports whether b is the zero ballot.
func (b Ballot) IsZero() bool { return b.Counter == 0 && b.Proposer == "" }

// Less reports whether b orders before o.
func (b Ballot) Less(o Ballot) bool {
	if b.Counter != o.Counter {
		return b.Counter < o.Counter
	}
	return b.Proposer < o.Proposer
}

// Compare returns -1, 0 or +1 as b orders before, equal to or after o.
func (b Ballot) Compare(o Ballot) int {
	switch {
	case b.Less(o):
		return -1
	case o.Less(b):
		return 1
	}
	return 0
}

// String returns the short human form, "7:p1.1f3a9c02", or "0" for the zero ballot.
func (b Ballot) String() string {
	if b.IsZero() {
		return "0"
	}
	return strconv.FormatUint(b.Counter, 10) + ":" + b.Proposer
}

// Wire returns the fixed-width text form stored by acceptors,
// "00000000000000000007:p1.1f3a9c02", or "" for the zero ballot.
// Byte order of wire forms equals ballot order.
func (b Ballot) Wire() string {
	if b.IsZero() {
		return ""
	}
	return fmt.Sprintf("%0*d:%s", counterWidth, b.Counter, b.Proposer)
}

// ParseBallot parses the String or Wire form of a ballot. The empty string
// and "0" parse as the zero ballot.
func ParseBallot(s string) (Ballot, error) {
	if s == "" || s == "0" {
		return Ballot{}, nil
	}
	num, proposer, ok := strings.Cut(s, ":")
	if !ok || proposer == "" || num == "" || len(num) > counterWidth {
		return Ballot{}, fmt.Errorf("paxos: malformed ballot %q: want COUNTER:PROPOSER", s)
	}
	for _, r := range num {
		if r < '0' || r > '9' {
			return Ballot{}, fmt.Errorf("paxos: malformed ballot %q: counter is not a decimal number", s)
		}
	}
	n, err := strconv.ParseUint(num, 10, 64)
	if err != nil {
		return Ballot{}, fmt.Errorf("paxos: malformed ballot %q: %w", s, err)
	}
	id, inc, hasInc := strings.Cut(proposer, ".")
	if err := ValidateProposerID(id); err != nil {
		return Ballot{}, fmt.Errorf("paxos: malformed ballot %q: %w", s, err)
	}
	if hasInc && !proposerIDPattern.MatchString(inc) {
		return Ballot{}, fmt.Errorf("paxos: malformed ballot %q: bad incarnation %q", s, inc)
	}
	if n == 0 {
		return Ballot{}, fmt.Errorf("paxos: malformed ballot %q: counter 0 is reserved for the zero ballot", s)
	}
	return Ballot{Counter: n, Proposer: proposer}, nil
}

// MaxBallot returns the larger of a and b.
func MaxBallot(a, b Ballot) Ballot {
	if a.Less(b) {
		return b
	}
	return a
}

// MarshalText implements encoding.TextMarshaler with the String form.
func (b Ballot) MarshalText() ([]byte, error) { return []byte(b.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler, accepting what
// ParseBallot accepts.
func (b *Ballot) UnmarshalText(text []byte) error {
	parsed, err := ParseBallot(string(text))
	if err != nil {
		return err
	}
	*b = parsed
	return nil
}
