package paxos

import (
	"fmt"
	"slices"
)

// StepKind says what a membership step does.
type StepKind uint8

// The kinds of membership step.
const (
	// StepJoin gives a new, empty node the cluster identity, so it can
	// vote once a configuration names it.
	StepJoin StepKind = iota + 1
	// StepConfigure has every proposer adopt Step.Layout.
	StepConfigure
	// StepRescan runs the identity change x → x on every key, so each value
	// sits on an accept quorum of the configuration in force.
	StepRescan
)

var stepKindNames = [...]string{StepJoin: "join", StepConfigure: "configure", StepRescan: "rescan"}

// String returns "join", "configure" or "rescan".
func (k StepKind) String() string {
	if int(k) < len(stepKindNames) && stepKindNames[k] != "" {
		return stepKindNames[k]
	}
	return fmt.Sprintf("StepKind(%d)", k)
}

// MarshalText implements encoding.TextMarshaler.
func (k StepKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (k *StepKind) UnmarshalText(text []byte) error {
	for i, name := range stepKindNames {
		if name != "" && name == string(text) {
			*k = StepKind(i)
			return nil
		}
	}
	return fmt.Errorf("paxos: unknown membership step %q: want join, configure or rescan", text)
}

// Step is one step of a membership change. Layout is the configuration
// every proposer uses once the step is done; Node is the node a join
// step joins.
type Step struct {
	Kind   StepKind `json:"kind"`
	Name   string   `json:"name"`
	Node   string   `json:"node,omitempty"`
	Layout Layout   `json:"configuration"`
}

// Plan is a membership change: its steps, in order, from Start.
type Plan struct {
	Op    string      `json:"op"`
	Start MemberState `json:"start"`
	Steps []Step      `json:"steps"`
}

// Validate applies the steps from Start and explains the first that could
// lose a chosen value, or a node that enters a configuration without a
// join step before.
func (p Plan) Validate() error {
	_, err := p.Simulate(len(p.Steps))
	return err
}

// Simulate returns the state once the first n steps are done, or explains
// the first of them that is unsafe.
func (p Plan) Simulate(n int) (MemberState, error) {
	s := p.Start
	joined := map[string]bool{}
	for name := range unionOf(s.Layout.Prepare, s.Layout.Accept) {
		joined[name] = true
	}
	for i, step := range p.Steps[:min(n, len(p.Steps))] {
		for _, name := range append(slices.Clone(step.Layout.Accept), step.Layout.Prepare...) {
			if step.Kind == StepConfigure && !joined[name] {
				return s, fmt.Errorf("%s: step %d (%s): %w: %s enters the configuration without joining first",
					p.Op, i+1, step.Name, ErrUnsafeStep, name)
			}
		}
		next, err := s.Apply(step)
		if err != nil {
			return s, fmt.Errorf("%s: step %d (%s): %w", p.Op, i+1, step.Name, err)
		}
		if step.Kind == StepJoin {
			joined[step.Node] = true
		}
		s = next
	}
	return s, nil
}

// PlanAdd plans the growth of a settled cluster by node, an empty one.
func PlanAdd(s MemberState, node string) (Plan, error) {
	p := Plan{Op: "add " + node, Start: s}
	return p, p.add(s, node)
}

// PlanRemove plans the shrinking of a settled cluster without node. The
// node is not touched: it only stops being asked.
func PlanRemove(s MemberState, node string) (Plan, error) {
	p := Plan{Op: "remove " + node, Start: s}
	return p, p.remove(s, node)
}

// PlanReplace plans the replacement of old by node, an empty one. From
// the paper: "A replacement of a failed node in the N nodes cluster can
// be modelled as a shrinkage to N-1 nodes followed by expansion to N."
func PlanReplace(s MemberState, old, node string) (Plan, error) {
	p := Plan{Op: "replace " + old + " with " + node, Start: s}
	if err := p.remove(s, old); err != nil {
		return p, err
	}
	mid, err := p.Simulate(len(p.Steps))
	if err != nil {
		return p, err
	}
	return p, p.add(mid, node)
}

func (p *Plan) add(s MemberState, node string) error {
	l := s.Layout
	if !l.settled() {
		return fmt.Errorf("paxos: %s: the configuration (%s) is not a settled majority one: finish the change in progress first", p.Op, l)
	}
	if slices.Contains(l.Prepare, node) {
		return fmt.Errorf("paxos: %s: %s is already a member", p.Op, node)
	}
	n := len(l.Prepare)
	grown := append(slices.Clone(l.Prepare), node)
	if n%2 == 1 {
		f := n / 2
		p.Steps = append(p.Steps,
			// From the paper, grow step 1: "Turn on the A_{2F+2} acceptor."
			// It joins empty and votes nowhere yet.
			Step{Kind: StepJoin, Node: node, Layout: l, Name: "grow step 1: " + node + " joins the cluster, empty"},
			// Grow step 2: "update its configuration to send the accept
			// messages to the A_1..A_{2F+2} set of acceptors and to require
			// F+2 confirmations during the accept phase."
			Step{Kind: StepConfigure, Name: fmt.Sprintf("grow step 2: accepts go to all %d nodes, %d must confirm", n+1, f+2),
				Layout: Layout{Prepare: slices.Clone(l.Prepare), PrepareQuorum: f + 1, Accept: grown, AcceptQuorum: f + 2}},
			// Grow step 3: "Pick any proposer and execute the identity state
			// transition function x → x", for every key.
			Step{Kind: StepRescan, Name: fmt.Sprintf("grow step 3: rescan, every key is rewritten to %d of %d nodes", f+2, n+1),
				Layout: Layout{Prepare: slices.Clone(l.Prepare), PrepareQuorum: f + 1, Accept: grown, AcceptQuorum: f + 2}},
			// Grow step 4: "update its configuration to send prepare
			// messages to the A_1..A_{2F+2} set of acceptors and to require
			// F+2 confirmations."
			Step{Kind: StepConfigure, Name: fmt.Sprintf("grow step 4: prepares go to all %d nodes, %d must confirm", n+1, f+2),
				Layout: MajorityLayout(grown...)})
		return nil
	}
	if !s.Rescanned() {
		// From the paper: "If a cluster gets into even configuration from
		// an odd configuration, then it's necessary to execute identity
		// state transition (re-scan) before the extension."
		p.Steps = append(p.Steps, Step{Kind: StepRescan, Layout: l,
			Name: fmt.Sprintf("rescan first: this %d-node configuration was reached without one", n)})
	}
	p.Steps = append(p.Steps,
		// From the paper: "we can treat a 2F+2 nodes cluster as a 2F+3
		// nodes cluster where one node had been down from the beginning".
		// An empty node is such a node, so it may join before the
		// configuration names it as well as after.
		Step{Kind: StepJoin, Node: node, Layout: l, Name: "grow: " + node + " joins the cluster, empty"},
		// "Connect to each proposer and update its configuration to send
		// the prepare & accept messages to the A_1..A_{2F+3} set."
		Step{Kind: StepConfigure, Name: fmt.Sprintf("grow: prepares and accepts go to all %d nodes", n+1),
			Layout: MajorityLayout(grown...)})
	return nil
}

func (p *Plan) remove(s MemberState, node string) error {
	l := s.Layout
	if !l.settled() {
		return fmt.Errorf("paxos: %s: the configuration (%s) is not a settled majority one: finish the change in progress first", p.Op, l)
	}
	i := slices.Index(l.Prepare, node)
	if i < 0 {
		return fmt.Errorf("paxos: %s: %s is not a member", p.Op, node)
	}
	n := len(l.Prepare)
	if n == 1 {
		return fmt.Errorf("paxos: %s: it is the only node", p.Op)
	}
	rest := slices.Delete(slices.Clone(l.Prepare), i, i+1)
	if n%2 == 1 {
		// The even→odd growth in reverse: from now on the node counts as
		// one that is down for good.
		p.Steps = append(p.Steps, Step{Kind: StepConfigure, Layout: MajorityLayout(rest...),
			Name: fmt.Sprintf("shrink: prepares and accepts go to the %d other nodes; %s is no longer asked", n-1, node)})
		return nil
	}
	f := (n - 2) / 2
	if !s.Rescanned() {
		// Grow step 4 in reverse lets F+1 of the others prepare, which
		// finds a value only if it sits on F+2 of the 2F+2.
		p.Steps = append(p.Steps, Step{Kind: StepRescan, Layout: l,
			Name: fmt.Sprintf("rescan first: this %d-node configuration was reached without one", n)})
	}
	// Grow steps 4, 3 and 2 in reverse ("The same sequence executed in the
	// reverse order shrinks cluster with even number of nodes"). Step 3,
	// the rescan, is already done: every value sits on F+2 of the 2F+2,
	// and every write keeps going there until the last step.
	p.Steps = append(p.Steps,
		Step{Kind: StepConfigure, Name: fmt.Sprintf("shrink (grow step 4 reversed): prepares go to the %d other nodes, %d must confirm", n-1, f+1),
			Layout: Layout{Prepare: rest, PrepareQuorum: f + 1, Accept: slices.Clone(l.Accept), AcceptQuorum: f + 2}},
		Step{Kind: StepConfigure, Name: fmt.Sprintf("shrink (grow step 2 reversed): accepts go to the %d other nodes; %s is no longer asked", n-1, node),
			Layout: MajorityLayout(rest...)})
	return nil
}
