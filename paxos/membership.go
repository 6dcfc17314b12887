package paxos

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// ErrUnsafeStep is wrapped by every refusal of a membership step that
// could lose a chosen value.
var ErrUnsafeStep = errors.New("paxos: unsafe membership step")

// Layout is a configuration by acceptor names, as a cluster file and a
// membership plan hold it.
type Layout struct {
	Prepare       []string `json:"prepare"`
	PrepareQuorum int      `json:"prepare_quorum"`
	Accept        []string `json:"accept"`
	AcceptQuorum  int      `json:"accept_quorum"`
}

// MajorityLayout is the settled configuration of a cluster: every node in
// both phases, a majority winning each (F+1 of 2F+1, F+2 of 2F+2).
func MajorityLayout(names ...string) Layout {
	q := len(names)/2 + 1
	return Layout{Prepare: slices.Clone(names), PrepareQuorum: q, Accept: slices.Clone(names), AcceptQuorum: q}
}

// Validate explains what is wrong with l, or returns nil: the same rules
// as Config.Validate, by name.
func (l Layout) Validate() error {
	if err := validateNames("prepare", l.Prepare, l.PrepareQuorum); err != nil {
		return err
	}
	if err := validateNames("accept", l.Accept, l.AcceptQuorum); err != nil {
		return err
	}
	union := len(unionOf(l.Prepare, l.Accept))
	if l.PrepareQuorum+l.AcceptQuorum <= union {
		return fmt.Errorf("%w: a prepare quorum of %d and an accept quorum of %d among %d acceptors can be disjoint",
			ErrUnsafeConfig, l.PrepareQuorum, l.AcceptQuorum, union)
	}
	return nil
}

func validateNames(phase string, set []string, quorum int) error {
	if len(set) == 0 {
		return fmt.Errorf("paxos: the %s set is empty", phase)
	}
	if quorum < 1 || quorum > len(set) {
		return fmt.Errorf("paxos: %s quorum %d is impossible with %d acceptors", phase, quorum, len(set))
	}
	for i, n := range set {
		if slices.Contains(set[:i], n) {
			return fmt.Errorf("paxos: acceptor %s appears twice in the %s set", n, phase)
		}
	}
	return nil
}

// settled reports whether l is MajorityLayout of its nodes.
func (l Layout) settled() bool {
	m := MajorityLayout(l.Prepare...)
	return slices.Equal(l.Prepare, l.Accept) && l.PrepareQuorum == m.PrepareQuorum && l.AcceptQuorum == m.AcceptQuorum
}

// String describes l, "prepare 2/3 [a1 a2 a3] accept 2/3 [a1 a2 a3]".
func (l Layout) String() string {
	return fmt.Sprintf("prepare %d/%d [%s] accept %d/%d [%s]", l.PrepareQuorum, len(l.Prepare),
		strings.Join(l.Prepare, " "), l.AcceptQuorum, len(l.Accept), strings.Join(l.Accept, " "))
}

// Spread says where the values written under one configuration may sit:
// each on at least Min of Nodes, and on no others for sure.
type Spread struct {
	Nodes []string `json:"nodes"`
	Min   int      `json:"min"`
}

// MemberState is what a membership change must know of a cluster: the
// configuration in force, and the history that the configuration alone
// does not tell, where the values already written may sit.
type MemberState struct {
	Layout  Layout   `json:"configuration"`
	Written []Spread `json:"written"`
}

// NewMemberState is the state of a cluster whose values were all written
// under l, such as a fresh one.
func NewMemberState(l Layout) MemberState {
	return MemberState{Layout: l, Written: []Spread{{Nodes: slices.Clone(l.Accept), Min: l.AcceptQuorum}}}
}

// Rescanned reports whether every value sits on an accept quorum of the
// configuration in force, as after a rescan. An even configuration
// reached by shrinking an odd one is not rescanned.
func (s MemberState) Rescanned() bool {
	return len(s.Written) == 1 && s.Written[0].Min == s.Layout.AcceptQuorum &&
		sameSet(s.Written[0].Nodes, s.Layout.Accept)
}

// safe explains which values a prepare quorum of l could miss, or returns
// nil. A quorum misses a value when it fits among the prepare nodes that
// need not hold it: the value is on at least Min of its nodes, so at
// least Min minus those outside the prepare set are inside it.
func (s MemberState) safe(l Layout) error {
	for _, w := range s.Written {
		outside := 0
		for _, n := range w.Nodes {
			if !slices.Contains(l.Prepare, n) {
				outside++
			}
		}
		if l.PrepareQuorum+max(0, w.Min-outside) <= len(l.Prepare) {
			return fmt.Errorf("%w: a prepare quorum of %d among [%s] can miss a value written to %d of [%s], "+
				"so a read could return an older value", ErrUnsafeStep, l.PrepareQuorum, strings.Join(l.Prepare, " "),
				w.Min, strings.Join(w.Nodes, " "))
		}
	}
	return nil
}

// Apply returns the state after step, or explains why the step could
// lose a chosen value. While proposers move to a new configuration, both
// the old and the new one are in use, so each prepare quorum must find
// the values accepted under either.
func (s MemberState) Apply(step Step) (MemberState, error) {
	switch step.Kind {
	case StepJoin:
		if slices.Contains(s.Layout.Prepare, step.Node) || slices.Contains(s.Layout.Accept, step.Node) {
			return s, fmt.Errorf("paxos: %s cannot join: it is already in the configuration", step.Node)
		}
		return s, nil
	case StepRescan:
		return NewMemberState(s.Layout), nil
	case StepConfigure:
		if err := step.Layout.Validate(); err != nil {
			return s, err
		}
		next := MemberState{Layout: step.Layout, Written: slices.Clone(s.Written)}
		w := Spread{Nodes: slices.Clone(step.Layout.Accept), Min: step.Layout.AcceptQuorum}
		if !slices.ContainsFunc(next.Written, func(o Spread) bool { return o.Min == w.Min && sameSet(o.Nodes, w.Nodes) }) {
			next.Written = append(next.Written, w)
		}
		for _, l := range []Layout{s.Layout, step.Layout} {
			if err := next.safe(l); err != nil {
				return s, s.explain(step.Layout, err)
			}
		}
		return next, nil
	}
	return s, fmt.Errorf("paxos: unknown membership step kind %d", step.Kind)
}

// explain adds the paper's warning to a refused even→odd extension.
func (s MemberState) explain(to Layout, err error) error {
	from, n := len(s.Layout.Accept), len(to.Accept)
	if from%2 == 0 && n == from+1 && !s.Rescanned() {
		return fmt.Errorf("%w. From the paper: \"If a cluster gets into even configuration from an odd "+
			"configuration, then it's necessary to execute identity state transition (re-scan) before the "+
			"extension to avoid data loss\": this %d-node configuration was reached without a rescan, so rescan first",
			err, from)
	}
	return err
}

func sameSet(a, b []string) bool {
	return len(a) == len(b) && len(unionOf(a, b)) == len(a)
}

func unionOf(a, b []string) map[string]bool {
	u := map[string]bool{}
	for _, n := range a {
		u[n] = true
	}
	for _, n := range b {
		u[n] = true
	}
	return u
}
