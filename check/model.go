package check

import (
	"fmt"

	"github.com/anishathalye/porcupine"
)

// register is the sequential specification of one key: a versioned
// integer that exists or not. Every write that takes effect, a delete
// included, adds one to the version.
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
		return r.matches(out), r
	case OpSet:
		next = register{Exists: true, Value: in.Value, Version: r.Version + 1}
	case OpIncr:
		next = register{Exists: true, Value: r.Value + 1, Version: r.Version + 1}
	case OpDelete:
		next = register{Version: r.Version + 1}
	case OpCAS:
		if r.Version != in.Version {
			return unknown || out.Outcome == OutcomeRefused, r
		}
		if out.Outcome == OutcomeRefused {
			return false, r
		}
		next = register{Exists: true, Value: in.Value, Version: r.Version + 1}
	default:
		return false, r
	}
	return unknown || next.matches(out), next
}

// matches reports whether out is what a client could see of r.
func (r register) matches(out Output) bool {
	if out.Outcome != OutcomeOK || out.Exists != r.Exists {
		return false
	}
	if out.Version != 0 && out.Version != r.Version {
		return false
	}
	return !r.Exists || out.Value == r.Value
}

// registerModel is the porcupine model of a store of versioned integer registers,
// partitioned by key so that each key is checked alone.
var registerModel = porcupine.Model{
	Partition: partitionByKey,
	Init:      func() any { return register{} },
	Step: func(state, input, output any) (bool, any) {
		return state.(register).step(input.(Input), output.(Output))
	},
	Hash: func(state any) uint64 {
		r := state.(register)
		h := uint64(r.Value)*1000003 ^ r.Version
		if r.Exists {
			h ^= 1 << 63
		}
		return h
	},
	DescribeOperation: func(input, output any) string {
		return fmt.Sprintf("%s → %s", input.(Input), output.(Output))
	},
	DescribeState: func(state any) string { return state.(register).String() },
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
