package check

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/anishathalye/porcupine"
)

// naiveModel is the register without credits: an operation of unknown
// outcome stays open to the end of the history, as porcupine's own docs
// suggest. Slow, but obviously right.
var naiveModel = porcupine.Model{
	Init: func() any { return register{} },
	Step: func(state, input, output any) (bool, any) {
		return state.(register).step(input.(Input), output.(Output))
	},
}

// simulatedHistory runs a few overlapping operations on one key against
// the register at random linearization points, so the history is
// linearizable; some outcomes become unknown (applied or not), and with
// corrupt one output is then altered, which usually breaks it. Half the
// histories write values valueSpan apart, as the workloads do; the others
// write small values that increments reach and that repeat, so a value
// read may come from several writes. Some compare-and-sets expect a
// version that never comes, and some histories end with an operation
// invoked after all the others returned, still running when cut off.
func simulatedHistory(rng *rand.Rand, corrupt bool) []Op {
	const end = 1 << 30
	type planned struct {
		op      Op
		at      int64
		applied bool
	}
	spaced := rng.IntN(2) == 0
	var ops []planned
	n := 2 + rng.IntN(8)
	for i := range n {
		call := int64(i*10 + rng.IntN(10))
		if i == n-1 && rng.IntN(4) == 0 {
			call = int64(n*10 + 50) // after every other operation returned
		}
		p := planned{op: Op{Client: i, Call: call, Return: call + 1 + int64(rng.IntN(40))}, applied: true}
		p.op.Input = Input{Key: "k", Kind: []OpKind{OpIncr, OpIncr, OpGet, OpSet, OpCAS, OpDelete}[rng.IntN(6)],
			Value: int64(i+1) * valueSpan, Version: uint64(rng.IntN(4))}
		if !spaced {
			p.op.Input.Value = int64(rng.IntN(4))
		}
		if rng.IntN(5) == 0 {
			p.op.Input.Version = 999999
		}
		p.at = call + 1 + rng.Int64N(p.op.Return-call-1+1)
		if p.op.Input.Kind != OpGet && rng.IntN(3) == 0 {
			p.op.Output.Outcome = OutcomeUnknown
			p.op.Return = end
			p.at = call + 1 + rng.Int64N(80)
			p.applied = rng.IntN(2) == 0
		}
		ops = append(ops, p)
	}
	slices.SortFunc(ops, func(a, b planned) int { return int(a.at - b.at) })
	var r register
	for i := range ops {
		p := &ops[i]
		if p.op.Output.Outcome == OutcomeUnknown {
			if p.applied {
				_, r = r.step(p.op.Input, p.op.Output)
			}
			continue
		}
		before := r
		_, r = r.step(p.op.Input, Output{Outcome: OutcomeUnknown})
		out := Output{Outcome: OutcomeOK, Exists: r.Exists, Value: r.Value, Version: r.Version, Versioned: true}
		if r == before && p.op.Input.Kind != OpGet { // a refused cas or delete
			out = Output{Outcome: OutcomeRefused, Version: r.Version, Versioned: true}
		}
		p.op.Output = out
	}
	var h []Op
	for _, p := range ops {
		h = append(h, p.op)
	}
	if corrupt {
		i := rng.IntN(len(h))
		if h[i].Output.Outcome != OutcomeUnknown {
			h[i].Output.Value += int64(rng.IntN(3) - 1)
			h[i].Output.Version += uint64(rng.IntN(2))
			h[i].Output.Exists = h[i].Output.Exists != (rng.IntN(4) == 0)
		}
	}
	slices.SortFunc(h, func(a, b Op) int { return int(a.Call - b.Call) })
	return h
}

func TestCheck_CreditsMatchOpenOperations(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	verdicts := map[Verdict]int{}
	for i := range 4000 {
		h := simulatedHistory(rng, i%2 == 1)
		var ops []porcupine.Operation
		for _, op := range h {
			if op.Output.Outcome != OutcomeUnknown || op.Input.Kind != OpGet {
				ops = append(ops, porcupine.Operation{Input: op.Input, Output: op.Output, Call: op.Call, Return: op.Return})
			}
		}
		want := Violation
		if porcupine.CheckOperations(naiveModel, ops) {
			want = Linearizable
		}
		have := Check(h, 0).Verdict
		if want != have {
			t.Fatalf("history %d: want %s, have %s:\n%v", i, want, have, h)
		}
		verdicts[have]++
	}
	t.Log(verdicts)
	if verdicts[Linearizable] < 1000 || verdicts[Violation] < 500 {
		t.Errorf("want both verdicts often, have %v", verdicts)
	}
}
