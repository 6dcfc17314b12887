package cluster

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// Any is the wildcard of a fault rule: it matches every proposer or every
// acceptor, as in "delay * a2 50ms".
const Any = "*"

// FaultKind says what a LinkFault does to the messages of the links it
// matches.
type FaultKind uint8

// The kinds of link faults. Partition and OneWay share one slot: setting
// either replaces the other on the links it covers.
const (
	FaultUp        FaultKind = iota + 1 // clears the faults set before it on the links it covers
	FaultPartition                      // no message gets through
	FaultOneWay                         // requests arrive and execute, replies are lost
	FaultDrop                           // requests and replies are lost at random
	FaultDelay                          // requests wait a fixed time plus a random jitter
	FaultDuplicate                      // requests execute twice at random
)

// String returns the command word of k, such as "partition".
func (k FaultKind) String() string {
	switch k {
	case FaultUp:
		return "up"
	case FaultPartition:
		return "partition"
	case FaultOneWay:
		return "oneway"
	case FaultDrop:
		return "drop"
	case FaultDelay:
		return "delay"
	case FaultDuplicate:
		return "duplicate"
	}
	return fmt.Sprintf("FaultKind(%d)", uint8(k))
}

// PartitionMode says how a partitioned link fails its requests.
type PartitionMode uint8

// The partition modes.
const (
	// FailFast fails every request at once with ErrPartitioned, like a
	// refused connection.
	FailFast PartitionMode = iota + 1
	// Hang keeps every request waiting until its context ends, like a
	// network that silently loses packets.
	Hang
)

// String returns "fail fast" or "hang".
func (m PartitionMode) String() string {
	switch m {
	case FailFast:
		return "fail fast"
	case Hang:
		return "hang"
	}
	return fmt.Sprintf("PartitionMode(%d)", uint8(m))
}

// LinkFault is one rule of a Network's fault configuration. Proposer and
// Acceptor name the links it covers, either of them may be Any. Only the
// fields of its Kind are used. Rules apply in the order they were set, so a
// later rule overrides an earlier one of the same slot.
type LinkFault struct {
	Proposer string    `json:"proposer"`
	Acceptor string    `json:"acceptor"`
	Kind     FaultKind `json:"kind"`

	Mode        PartitionMode `json:"mode,omitempty"`         // FaultPartition
	RequestLoss float64       `json:"request_loss,omitempty"` // FaultDrop: probability a request is lost
	ReplyLoss   float64       `json:"reply_loss,omitempty"`   // FaultDrop: probability a reply is lost
	Delay       time.Duration `json:"delay,omitempty"`        // FaultDelay: fixed part
	Jitter      time.Duration `json:"jitter,omitempty"`       // FaultDelay: random part, up to this much more
	Probability float64       `json:"probability,omitempty"`  // FaultDuplicate: probability a request executes twice
}

// String describes f in the words of the dashboard's commands, such as
// "drop p1 a2 requests 30% replies 0%".
func (f LinkFault) String() string {
	head := f.Kind.String() + " " + f.Proposer + " " + f.Acceptor
	switch f.Kind {
	case FaultPartition:
		return head + " (" + f.Mode.String() + ")"
	case FaultDrop:
		return fmt.Sprintf("%s requests %s replies %s", head, faultPercent(f.RequestLoss), faultPercent(f.ReplyLoss))
	case FaultDelay:
		if f.Jitter > 0 {
			return fmt.Sprintf("%s %v±%v", head, f.Delay, f.Jitter)
		}
		return fmt.Sprintf("%s %v", head, f.Delay)
	case FaultDuplicate:
		return head + " " + faultPercent(f.Probability)
	}
	return head
}

func faultPercent(p float64) string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.2f", p*100), "0"), ".") + "%"
}

// LinkState is the effect of all rules on one link. The zero LinkState is
// a healthy link.
type LinkState struct {
	Partitioned bool          `json:"partitioned,omitempty"`
	Mode        PartitionMode `json:"mode,omitempty"`
	OneWay      bool          `json:"one_way,omitempty"`
	RequestLoss float64       `json:"request_loss,omitempty"`
	ReplyLoss   float64       `json:"reply_loss,omitempty"`
	Delay       time.Duration `json:"delay,omitempty"`
	Jitter      time.Duration `json:"jitter,omitempty"`
	Duplicate   float64       `json:"duplicate,omitempty"`
}

// IsUp reports whether s leaves every message alone.
func (s LinkState) IsUp() bool { return s == LinkState{} }

// covers reports whether the pattern (p, a) matches every link that the
// pattern (q, b) matches.
func covers(p, a, q, b string) bool {
	return (p == Any || p == q) && (a == Any || a == b)
}

// overlaps reports whether some link matches both patterns.
func overlaps(p, a, q, b string) bool {
	return (p == Any || q == Any || p == q) && (a == Any || b == Any || a == b)
}

// slot groups the kinds that override each other.
func (k FaultKind) slot() FaultKind {
	if k == FaultOneWay {
		return FaultPartition
	}
	return k
}

// apply folds rule f into s.
func (s *LinkState) apply(f LinkFault) {
	switch f.Kind {
	case FaultUp:
		*s = LinkState{}
	case FaultPartition:
		s.Partitioned, s.Mode, s.OneWay = true, f.Mode, false
	case FaultOneWay:
		s.Partitioned, s.Mode, s.OneWay = false, 0, true
	case FaultDrop:
		s.RequestLoss, s.ReplyLoss = f.RequestLoss, f.ReplyLoss
	case FaultDelay:
		s.Delay, s.Jitter = f.Delay, f.Jitter
	case FaultDuplicate:
		s.Duplicate = f.Probability
	}
}

// resolveLink returns the state of the link from proposer to acceptor under rules.
func resolveLink(rules []LinkFault, proposer, acceptor string) LinkState {
	var s LinkState
	for _, f := range rules {
		if covers(f.Proposer, f.Acceptor, proposer, acceptor) {
			s.apply(f)
		}
	}
	return s
}

// withRule returns rules with f appended, minus the earlier rules of f's
// slot that f overrides on every link they cover.
func withRule(rules []LinkFault, f LinkFault) []LinkFault {
	rules = slices.DeleteFunc(slices.Clone(rules), func(o LinkFault) bool {
		return o.Kind != FaultUp && o.Kind.slot() == f.Kind.slot() && covers(f.Proposer, f.Acceptor, o.Proposer, o.Acceptor)
	})
	return append(rules, f)
}

// healed returns rules with every rule inside the pattern (p, a) removed,
// and an up rule for (p, a) when a broader fault still reaches into it.
func healed(rules []LinkFault, p, a string) []LinkFault {
	rules = slices.DeleteFunc(slices.Clone(rules), func(o LinkFault) bool {
		return covers(p, a, o.Proposer, o.Acceptor)
	})
	if slices.ContainsFunc(rules, func(o LinkFault) bool {
		return o.Kind != FaultUp && overlaps(p, a, o.Proposer, o.Acceptor)
	}) {
		rules = append(rules, LinkFault{Proposer: p, Acceptor: a, Kind: FaultUp})
	}
	return rules
}

// validate explains what is wrong with f, or returns nil.
func (f LinkFault) validate() error {
	if f.Proposer == "" || f.Acceptor == "" {
		return fmt.Errorf("%w: name a proposer and an acceptor, or %q for any", ErrBadFault, Any)
	}
	prob := func(what string, p float64) error {
		if !(p >= 0 && p <= 1) {
			return fmt.Errorf("%w: %s %v is not a probability between 0 and 1 (30%% is 0.3)", ErrBadFault, what, p)
		}
		return nil
	}
	switch f.Kind {
	case FaultPartition:
		if f.Mode != FailFast && f.Mode != Hang {
			return fmt.Errorf("%w: partition mode must be fail fast or hang", ErrBadFault)
		}
	case FaultDrop:
		if err := prob("request loss", f.RequestLoss); err != nil {
			return err
		}
		return prob("reply loss", f.ReplyLoss)
	case FaultDelay:
		if f.Delay < 0 || f.Jitter < 0 {
			return fmt.Errorf("%w: delay %v and jitter %v cannot be negative", ErrBadFault, f.Delay, f.Jitter)
		}
	case FaultDuplicate:
		return prob("duplicate probability", f.Probability)
	}
	return nil
}

// linkRand is the seeded source of one link's random decisions.
func linkRand(seed int64, proposer, acceptor string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(proposer))
	h.Write([]byte{0})
	h.Write([]byte(acceptor))
	return rand.New(rand.NewPCG(uint64(seed), h.Sum64()))
}

// chance draws from r and reports whether an event of probability p happens.
// It draws nothing when p is 0, so faults that are off do not shift the
// decisions of the others.
func chance(r *rand.Rand, p float64) bool {
	return p > 0 && r.Float64() < p
}

// delayOf draws the delay of one request under s.
func delayOf(r *rand.Rand, s LinkState) time.Duration {
	d := s.Delay
	if s.Jitter > 0 {
		d += time.Duration(r.Int64N(int64(s.Jitter) + 1))
	}
	return d
}
