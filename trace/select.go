package trace

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/gryadka/gryadka/cluster"
	"github.com/gryadka/gryadka/paxos"
)

// ErrNoChange is wrapped when a change named by a ChangeRef is not in the
// records, or the name is ambiguous or malformed.
var ErrNoChange = errors.New("trace: no such change")

// ChangeRef names one change: its number and the proposer that made it,
// written "p1#12". Proposer may be a full ID ("p1.0"), a short one ("p1"),
// or empty when only one proposer made a change with that number.
type ChangeRef struct {
	Proposer string
	Change   paxos.ChangeID
}

// String writes the reference as ParseChangeRef reads it.
func (c ChangeRef) String() string { return fmt.Sprintf("%s#%d", c.Proposer, c.Change) }

// ParseChangeRef reads "p1#12", "#12" or "12".
func ParseChangeRef(s string) (ChangeRef, error) {
	p, n, found := strings.Cut(strings.TrimSpace(s), "#")
	if !found {
		p, n = "", p
	}
	id, err := strconv.ParseUint(n, 10, 64)
	if err != nil || id == 0 {
		return ChangeRef{}, fmt.Errorf("%w: %q is not a change; write its number, or the proposer and the number, as p1#12", ErrNoChange, s)
	}
	return ChangeRef{Proposer: p, Change: paxos.ChangeID(id)}, nil
}

// matches reports whether a proposer ID (full, "p1.0") is the one named.
func (c ChangeRef) matches(proposer string) bool {
	if c.Proposer == "" || c.Proposer == proposer {
		return true
	}
	short, _, _ := strings.Cut(proposer, ".")
	return c.Proposer == short
}

// SelectChange returns the records of one change: its proposer's events,
// what the links did to its messages, and the node and link changes that
// happened while it ran, in their order.
func SelectChange(records []Record, ref ChangeRef) ([]Record, error) {
	var proposers []string
	first, last := -1, -1
	for i, r := range records {
		m, ok := MetaOf(r.Event)
		if !ok || m.Change != ref.Change || !ref.matches(m.Proposer) {
			continue
		}
		if !slices.Contains(proposers, m.Proposer) {
			proposers = append(proposers, m.Proposer)
		}
		if first < 0 {
			first = i
		}
		last = i
	}
	switch {
	case len(proposers) == 0:
		return nil, fmt.Errorf("%w: change %s is not in the %d records", ErrNoChange, ref, len(records))
	case len(proposers) > 1:
		return nil, fmt.Errorf("%w: change %d was made by %s; name one, as %s#%d", ErrNoChange, ref.Change,
			strings.Join(proposers, " and "), shortID(proposers[0]), ref.Change)
	}
	full := proposers[0]
	var out []Record
	for _, r := range records[first : last+1] {
		switch e := r.Event.(type) {
		case cluster.NodeStateChanged, cluster.LinkChanged:
			out = append(out, r)
		case cluster.LinkEvent:
			if e.Change == ref.Change && (e.Proposer == full || e.Proposer == shortID(full)) {
				out = append(out, r)
			}
		default:
			if m, ok := MetaOf(r.Event); ok && m.Change == ref.Change && m.Proposer == full {
				out = append(out, r)
			}
		}
	}
	return out, nil
}

// shortID drops the incarnation of a proposer ID: "p1.0" is "p1".
func shortID(id string) string {
	short, _, _ := strings.Cut(id, ".")
	return short
}
