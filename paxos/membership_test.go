package paxos_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/gryadka/gryadka/paxos"
)

func kinds(p paxos.Plan) []string {
	out := make([]string, len(p.Steps))
	for i, s := range p.Steps {
		out[i] = s.Kind.String()
	}
	return out
}

// ender returns a function that runs every step of a plan and returns
// the state it leaves, failing t on an error.
func ender(t *testing.T) func(paxos.Plan, error) paxos.MemberState {
	return func(p paxos.Plan, err error) paxos.MemberState {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		s, err := p.Simulate(len(p.Steps))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
}

func fresh(names ...string) paxos.MemberState {
	return paxos.NewMemberState(paxos.MajorityLayout(names...))
}

// From the paper: expansion from 2F+1 to 2F+2 turns the acceptor on,
// widens the accept set, runs the identity change, then widens the
// prepare set; from 2F+2 to 2F+3 it only widens both sets.
func TestPlanAdd_FollowsThePaperSteps(t *testing.T) {
	shrunk := ender(t)(paxos.PlanRemove(fresh("a1", "a2", "a3", "a4", "a5"), "a5"))
	for name, tc := range map[string]struct {
		from      paxos.MemberState
		want      []string
		rescanned bool
	}{
		"3 to 4":                      {fresh("a1", "a2", "a3"), []string{"join", "configure", "rescan", "configure"}, true},
		"1 to 2":                      {fresh("a1"), []string{"join", "configure", "rescan", "configure"}, true},
		"fresh 4 to 5":                {fresh("a1", "a2", "a3", "a4"), []string{"join", "configure"}, false},
		"4 reached by shrinking to 5": {shrunk, []string{"rescan", "join", "configure"}, false},
	} {
		t.Run(name, func(t *testing.T) {
			p, err := paxos.PlanAdd(tc.from, "a9")
			s := ender(t)(p, err)
			if have := kinds(p); !slices.Equal(tc.want, have) {
				t.Errorf("steps: want %v, have %v", tc.want, have)
			}
			want := paxos.MajorityLayout(append(slices.Clone(tc.from.Layout.Prepare), "a9")...)
			if !reflect.DeepEqual(want, s.Layout) {
				t.Errorf("layout: want %v, have %v", want, s.Layout)
			}
			if s.Rescanned() != tc.rescanned && len(s.Layout.Accept)%2 == 0 {
				t.Errorf("rescanned: want %v, have %v", tc.rescanned, s.Rescanned())
			}
		})
	}
}

func TestPlan_ThreeToFiveAndBackIsSafe(t *testing.T) {
	s := fresh("a1", "a2", "a3")
	s = ender(t)(paxos.PlanAdd(s, "a4"))
	s = ender(t)(paxos.PlanAdd(s, "a5"))
	s = ender(t)(paxos.PlanRemove(s, "a5"))
	if s.Rescanned() {
		t.Error("4 nodes reached by shrinking 5: want not rescanned, have rescanned")
	}
	p, err := paxos.PlanRemove(s, "a4")
	if have := kinds(p); !slices.Equal([]string{"rescan", "configure", "configure"}, have) {
		t.Errorf("4 to 3 steps: want a rescan first, have %v", have)
	}
	s = ender(t)(p, err)
	if want := paxos.MajorityLayout("a1", "a2", "a3"); !reflect.DeepEqual(want, s.Layout) {
		t.Errorf("want %v, have %v", want, s.Layout)
	}
}

func TestPlanReplace_ShrinksThenGrowsWithTheRescan(t *testing.T) {
	for name, tc := range map[string]struct {
		from paxos.MemberState
		want []string
	}{
		"3 nodes": {fresh("a1", "a2", "a3"), []string{"configure", "rescan", "join", "configure"}},
		"4 nodes": {fresh("a1", "a2", "a3", "a4"), []string{"configure", "configure", "join", "configure", "rescan", "configure"}},
	} {
		t.Run(name, func(t *testing.T) {
			p, err := paxos.PlanReplace(tc.from, "a2", "a9")
			s := ender(t)(p, err)
			if have := kinds(p); !slices.Equal(tc.want, have) {
				t.Errorf("steps: want %v, have %v", tc.want, have)
			}
			if slices.Contains(s.Layout.Prepare, "a2") || !slices.Contains(s.Layout.Accept, "a9") {
				t.Errorf("want a9 in place of a2, have %v", s.Layout)
			}
		})
	}
}

// From the paper: "without the mandatory re-scan, it's possible
// sequentially replace every acceptor with empty acceptor, lose all data
// and violate linearizability."
func TestPlan_ValidateRefusesTheEvenToOddShortcutWithoutRescan(t *testing.T) {
	p, err := paxos.PlanReplace(fresh("a1", "a2", "a3"), "a1", "a4")
	if err != nil {
		t.Fatal(err)
	}
	p.Steps = slices.DeleteFunc(p.Steps, func(s paxos.Step) bool { return s.Kind == paxos.StepRescan })
	err = p.Validate()
	if !errors.Is(err, paxos.ErrUnsafeStep) {
		t.Fatalf("want ErrUnsafeStep, have %v", err)
	}
	for _, want := range []string{"step 3", "re-scan", "reached without a rescan", "can miss a value"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("want %q in the error, have %v", want, err)
		}
	}
}

func TestPlan_ValidateRefusesAnUnsafeOrder(t *testing.T) {
	a := []string{"a1", "a2", "a3"}
	grown := []string{"a1", "a2", "a3", "a4"}
	join := paxos.Step{Kind: paxos.StepJoin, Node: "a4", Name: "join"}
	for name, tc := range map[string]struct {
		steps []paxos.Step
		want  string
	}{
		"accept set widened without a bigger quorum": {[]paxos.Step{join, {Kind: paxos.StepConfigure, Name: "widen",
			Layout: paxos.Layout{Prepare: a, PrepareQuorum: 2, Accept: grown, AcceptQuorum: 2}}}, "can be disjoint"},
		"node configured before it joins": {[]paxos.Step{{Kind: paxos.StepConfigure, Name: "widen",
			Layout: paxos.MajorityLayout(grown...)}}, "without joining first"},
		"prepare quorum of one after a shrink": {[]paxos.Step{{Kind: paxos.StepConfigure, Name: "shrink",
			Layout: paxos.Layout{Prepare: []string{"a1", "a2"}, PrepareQuorum: 1, Accept: a, AcceptQuorum: 3}}}, "can miss a value"},
		"joining a member": {[]paxos.Step{{Kind: paxos.StepJoin, Node: "a1", Name: "join"}}, "already in the configuration"},
	} {
		t.Run(name, func(t *testing.T) {
			p := paxos.Plan{Op: "test", Start: fresh(a...), Steps: tc.steps}
			err := p.Validate()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("want an error with %q, have %v", tc.want, err)
			}
		})
	}
}

func TestPlan_RefusesWhatCannotBeDone(t *testing.T) {
	mid := paxos.MemberState{Layout: paxos.Layout{Prepare: []string{"a1", "a2", "a3"}, PrepareQuorum: 2,
		Accept: []string{"a1", "a2", "a3", "a4"}, AcceptQuorum: 3}}
	for name, tc := range map[string]struct {
		plan func() (paxos.Plan, error)
		want string
	}{
		"add a member":        {func() (paxos.Plan, error) { return paxos.PlanAdd(fresh("a1", "a2"), "a2") }, "already a member"},
		"remove a stranger":   {func() (paxos.Plan, error) { return paxos.PlanRemove(fresh("a1", "a2"), "a7") }, "not a member"},
		"remove the last":     {func() (paxos.Plan, error) { return paxos.PlanRemove(fresh("a1"), "a1") }, "only node"},
		"add during a change": {func() (paxos.Plan, error) { return paxos.PlanAdd(mid, "a5") }, "not a settled"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := tc.plan()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("want an error with %q, have %v", tc.want, err)
			}
		})
	}
}

func TestPlan_RoundTripsThroughJSON(t *testing.T) {
	want, err := paxos.PlanAdd(fresh("a1", "a2", "a3"), "a4")
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	var have paxos.Plan
	if err := json.Unmarshal(b, &have); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(want, have) {
		t.Errorf("want %+v, have %+v", want, have)
	}
	if !strings.Contains(string(b), `"kind":"rescan"`) {
		t.Errorf("want step kinds as words, have %s", b)
	}
}
