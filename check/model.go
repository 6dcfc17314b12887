package check

import (
	"fmt"
	"sync/atomic"

	"github.com/anishathalye/porcupine"
)

// register is the sequential specification of one key: a versioned
// integer that exists or not, as kv.Store keeps it. Every write that takes
// effect, a delete included, adds one to the version; a missing key counts
// as 0 for an increment; a delete of a missing key and a compare-and-set
// on another version are refused and change nothing.
type register struct {
	Exists  bool
	Value   int64
	Version uint64
}

func (r register) String() string {
	if !r.Exists {
		return fmt.Sprintf("nil v%d", r.Version)
	}
	return fmt.Sprintf("%d v%d", r.Value, r.Version)
}

// step applies in to r and reports whether out is a possible output.
func (r register) step(in Input, out Output) (bool, register) {
	unknown := out.Outcome == OutcomeUnknown
	next := r
	switch in.Kind {
	case OpGet:
		return unknown || r.matches(out), r
	case OpSet:
		next = register{Exists: true, Value: in.Value, Version: r.Version + 1}
	case OpIncr:
		next = r.add(1)
	case OpDelete:
		if !r.Exists {
			return unknown || r.refuses(out), r
		}
		next = register{Version: r.Version + 1}
	case OpCAS:
		if r.Version != in.Version {
			return unknown || r.refuses(out), r
		}
		next = register{Exists: true, Value: in.Value, Version: r.Version + 1}
	default:
		return false, r
	}
	return unknown || next.matches(out), next
}

// add returns r after n increments; a missing key counts from zero.
func (r register) add(n uint64) register {
	if n == 0 {
		return r
	}
	if !r.Exists {
		r.Value = 0
	}
	return register{Exists: true, Value: r.Value + int64(n), Version: r.Version + n}
}

// matches reports whether out is what a client could see of r.
func (r register) matches(out Output) bool {
	if out.Outcome != OutcomeOK || out.Exists != r.Exists || out.Versioned && out.Version != r.Version {
		return false
	}
	return !r.Exists || out.Value == r.Value
}

// refuses reports whether out is a refusal that found r.
func (r register) refuses(out Output) bool {
	return out.Outcome == OutcomeRefused && (!out.Versioned || out.Version == r.Version)
}

// credited is the model's state: the register, and the increments whose
// outcome is unknown that were invoked but are not yet applied.
//
// An increment with an unknown outcome may take effect at any time after
// its invocation, or never. Left open until the end of the history, each
// one doubles porcupine's search, since it cannot tell that they are
// interchangeable. Instead, such an increment is recorded as an instant
// credit at its invocation, and any operation may first spend some
// credits, applying that many of them just before itself. The two views
// accept the same histories: a credit spent by an operation is the
// increment taking effect right before it, after its invocation; a credit
// never spent is an increment that never took effect, or only after the
// last operation.
type credited struct {
	register
	Credits uint64
}

func (c credited) step(in Input, out Output) []any {
	if isCredit(in, out) {
		c.Credits++
		return []any{c}
	}
	var next []any
	for spent := range c.Credits + 1 {
		if ok, r := c.add(spent).step(in, out); ok {
			next = append(next, credited{register: r, Credits: c.Credits - spent})
		}
	}
	return next
}

// isCredit reports whether an operation is an increment of unknown
// outcome, recorded as a credit.
func isCredit(in Input, out Output) bool {
	return in.Kind == OpIncr && out.Outcome == OutcomeUnknown
}

// newModel returns the porcupine model of a store of versioned integer
// registers, partitioned by key so that each key is checked alone. Once
// stop is set, every step fails, so that a search whose answer is no
// longer needed ends at once; its result is then meaningless.
func newModel(stop *atomic.Bool) porcupine.Model {
	return (&porcupine.NondeterministicModel{
		Partition: partitionByKey,
		Init:      func() []any { return []any{credited{}} },
		Step: func(state, input, output any) []any {
			if stop.Load() {
				return nil
			}
			return state.(credited).step(input.(Input), output.(Output))
		},
		Hash: func(state any) uint64 {
			c := state.(credited)
			h := uint64(c.Value)*1000003 ^ c.Version*10007 ^ c.Credits
			if c.Exists {
				h ^= 1 << 63
			}
			return h
		},
		DescribeOperation: func(input, output any) string {
			if isCredit(input.(Input), output.(Output)) {
				return fmt.Sprintf("%s → unknown (may apply from here on)", input.(Input))
			}
			return fmt.Sprintf("%s → %s", input.(Input), output.(Output))
		},
		DescribeState: func(state any) string {
			c := state.(credited)
			if c.Credits == 0 {
				return c.register.String()
			}
			return fmt.Sprintf("%s +%d maybe", c.register, c.Credits)
		},
	}).ToModel()
}

func partitionByKey(history []porcupine.Operation) [][]porcupine.Operation {
	index := map[string]int{}
	var parts [][]porcupine.Operation
	for _, op := range history {
		key := op.Input.(Input).Key
		i, ok := index[key]
		if !ok {
			i = len(parts)
			index[key] = i
			parts = append(parts, nil)
		}
		parts[i] = append(parts[i], op)
	}
	return parts
}
