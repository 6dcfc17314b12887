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
//
// Blind marks a value no operation of the history ever read (see
// credited): any operation that would reveal it is impossible.
type register struct {
	Exists  bool
	Blind   bool
	Value   int64
	Version uint64
}

func (r register) String() string {
	switch {
	case !r.Exists:
		return fmt.Sprintf("nil v%d", r.Version)
	case r.Blind:
		return fmt.Sprintf("(never read) v%d", r.Version)
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
	return register{Exists: true, Blind: r.Blind, Value: r.Value + int64(n), Version: r.Version + n}
}

// matches reports whether out is what a client could see of r.
func (r register) matches(out Output) bool {
	if out.Outcome != OutcomeOK || out.Exists != r.Exists || out.Versioned && out.Version != r.Version {
		return false
	}
	return !r.Exists || !r.Blind && out.Value == r.Value
}

// refuses reports whether out is a refusal that found r.
func (r register) refuses(out Output) bool {
	return out.Outcome == OutcomeRefused && (!out.Versioned || out.Version == r.Version)
}

// newModel returns the porcupine model of a store of versioned integer
// registers, partitioned by key so that each key is checked alone, for
// histories prepared by prepare. Once stop is set, every step fails, so
// that a search whose answer is no longer needed ends at once; its result
// is then meaningless.
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
			h := uint64(c.Value)*1000003 ^ c.Version*10007 ^ c.Incrs ^ c.Sets<<16 ^ c.Deletes<<32 ^ uint64(len(c.CASes))<<48
			if c.Exists {
				h ^= 1 << 63
			}
			return h
		},
		DescribeOperation: func(input, output any) string {
			in, out := input.(Input), output.(Output)
			if out.credit != creditNone {
				return fmt.Sprintf("%s → unknown (may apply from here on)", in)
			}
			return fmt.Sprintf("%s → %s", in, out)
		},
		DescribeState: func(state any) string { return state.(credited).String() },
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
