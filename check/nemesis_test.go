package check

import (
	"reflect"
	"slices"
	"testing"
	"time"
)

func TestNewPlan_SameSeedSamePlan(t *testing.T) {
	opts := PlanOptions{Seed: 42, Duration: 30 * time.Second, Acceptors: []string{"a1", "a2", "a3"}, Proposers: 3}
	a, err := NewPlan(opts)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := NewPlan(opts)
	if !reflect.DeepEqual(a, b) {
		t.Errorf("want equal plans for one seed, have\n%v\n%v", a, b)
	}
	opts.Seed = 43
	c, _ := NewPlan(opts)
	if reflect.DeepEqual(a, c) {
		t.Error("want different plans for different seeds, have equal ones")
	}
}

func TestNewPlan_FaultsAreBoundedAndApart(t *testing.T) {
	acceptors := []string{"a1", "a2", "a3", "a4", "a5"}
	for seed := range int64(50) {
		p, err := NewPlan(PlanOptions{Seed: seed, Duration: 10 * time.Second, Acceptors: acceptors, Proposers: 3})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Faults) < 5 {
			t.Fatalf("seed %d: want several faults in a run, have %d", seed, len(p.Faults))
		}
		kinds := map[FaultKind]bool{}
		var end time.Duration
		for _, f := range p.Faults {
			kinds[f.Kind] = true
			if f.Start <= end || f.Start+f.Length > 10*time.Second {
				t.Fatalf("seed %d: %s overlaps the previous fault or outlasts the run", seed, f)
			}
			end = f.Start + f.Length
			switch f.Kind {
			case FaultPartition:
				if len(f.Nodes) > 2 {
					t.Fatalf("seed %d: %s cuts off a majority", seed, f)
				}
			case FaultSplit:
				if len(f.Nodes) != 3 || len(slices.Compact(slices.Sorted(slices.Values(f.Nodes)))) != 3 {
					t.Fatalf("seed %d: %s: want each of 3 proposers to lose a different node", seed, f)
				}
			}
		}
		if len(p.Faults) >= 9 && len(kinds) < 9 {
			t.Errorf("seed %d: want every kind before a repeat, have %v", seed, kinds)
		}
	}
}

func TestNewPlan_RefusesTooFewAcceptors(t *testing.T) {
	if _, err := NewPlan(PlanOptions{Duration: time.Second, Acceptors: []string{"a1"}, Proposers: 1}); err == nil {
		t.Error("want an error with one acceptor, have nil")
	}
}

func TestLongestGap_MeasuresUnavailability(t *testing.T) {
	ms := func(n int64) int64 { return n * int64(time.Millisecond) }
	h := []Op{
		{Output: Output{Outcome: OutcomeOK}, Call: ms(0), Return: ms(10)},
		{Output: Output{Outcome: OutcomeFailed}, Call: ms(10), Return: ms(50)},
		{Output: Output{Outcome: OutcomeRefused}, Call: ms(20), Return: ms(70)},
		{Output: Output{Outcome: OutcomeOK}, Call: ms(75), Return: ms(80)},
	}
	tests := map[string]struct {
		start, end int64
		want       time.Duration
	}{
		"whole":          {ms(0), ms(100), 60 * time.Millisecond},
		"no op inside":   {ms(81), ms(90), 9 * time.Millisecond},
		"tail is longer": {ms(5), ms(200), 120 * time.Millisecond},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if have := LongestGap(h, tc.start, tc.end); have != tc.want {
				t.Errorf("want %v, have %v", tc.want, have)
			}
		})
	}
}
