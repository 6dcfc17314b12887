package check

import (
	"math/rand/v2"
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

// randomHistory returns a short history of one key with overlapping
// increments, reads and sets, some of unknown outcome, whose outputs are
// small numbers so that both verdicts come up.
func randomHistory(rng *rand.Rand) []Op {
	const end = 1000
	var ops []Op
	for i := range 2 + rng.IntN(7) {
		call := int64(i*10 + rng.IntN(10))
		ret := call + 1 + int64(rng.IntN(30))
		in := Input{Key: "k", Kind: []OpKind{OpIncr, OpIncr, OpGet, OpSet}[rng.IntN(4)], Value: int64(rng.IntN(3))}
		out := Output{Outcome: OutcomeOK, Exists: rng.IntN(5) > 0, Value: int64(rng.IntN(5))}
		if in.Kind != OpGet && rng.IntN(3) == 0 {
			out, ret = Output{Outcome: OutcomeUnknown}, end
		}
		ops = append(ops, Op{Client: i, Input: in, Output: out, Call: call, Return: ret})
	}
	return ops
}

func TestCheck_CreditsMatchOpenOperations(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	verdicts := map[Verdict]int{}
	for i := range 3000 {
		h := randomHistory(rng)
		var ops []porcupine.Operation
		for _, op := range h {
			ops = append(ops, porcupine.Operation{Input: op.Input, Output: op.Output, Call: op.Call, Return: op.Return})
		}
		want := Violation
		if porcupine.CheckOperations(naiveModel, ops) {
			want = Linearizable
		}
		have := Check(h, 0).Verdict
		if want != have {
			t.Fatalf("history %d %v: want %s, have %s", i, h, want, have)
		}
		verdicts[have]++
	}
	t.Log(verdicts)
	if verdicts[Linearizable] < 100 || verdicts[Violation] < 100 {
		t.Errorf("want both verdicts often, have %v", verdicts)
	}
}
