package check

import (
	"sync"
	"testing"
)

func TestRecorder_OrdersConcurrentClients(t *testing.T) {
	r := NewRecorder()
	var wg sync.WaitGroup
	for c := range 8 {
		wg.Go(func() {
			for range 100 {
				r.Invoke(c, Input{Kind: OpIncr, Key: "k"}).Return(Output{Outcome: OutcomeOK, Exists: true})
			}
		})
	}
	wg.Wait()
	h := r.History()
	if want, have := 800, len(h); want != have {
		t.Fatalf("ops: want %d, have %d", want, have)
	}
	seen := map[int64]bool{}
	for i, op := range h {
		if op.Return <= op.Call {
			t.Fatalf("op %d returns at %d, before its call at %d", i, op.Return, op.Call)
		}
		if seen[op.Call] || seen[op.Return] {
			t.Fatalf("op %d shares a timestamp with another event", i)
		}
		seen[op.Call], seen[op.Return] = true, true
		if i > 0 && h[i-1].Call > op.Call {
			t.Fatalf("history not ordered by call at %d", i)
		}
	}
}

func TestRecorder_UnknownOpsStayOpen(t *testing.T) {
	r := NewRecorder()
	lost := r.Invoke(1, Input{Kind: OpSet, Key: "k", Value: 1})
	r.Invoke(2, Input{Kind: OpSet, Key: "k", Value: 2}).Return(Output{Outcome: OutcomeUnknown})
	r.Invoke(3, Input{Kind: OpGet, Key: "k"}).Return(Output{Outcome: OutcomeOK})
	h := r.History()
	lost.Return(Output{Outcome: OutcomeOK}) // too late for h, and counted once
	last := h[2].Return
	for _, op := range h[:2] {
		if op.Output.Outcome != OutcomeUnknown {
			t.Errorf("client %d: want unknown, have %s", op.Client, op.Output.Outcome)
		}
		if op.Return <= last {
			t.Errorf("client %d: an unknown op must return after every other event, returns at %d <= %d",
				op.Client, op.Return, last)
		}
	}
	if want, have := 3, len(r.History()); want != have {
		t.Errorf("ops after a late return: want %d, have %d", want, have)
	}
}
