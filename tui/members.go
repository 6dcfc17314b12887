package tui

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/gryadka/gryadka/cluster"
	"github.com/gryadka/gryadka/paxos"
)

// Members changes which nodes the cluster's configuration holds, one
// change at a time. A change is planned by Begin, then run by Run, which
// traces each step as a cluster.MembershipStep. Methods are called from
// tea.Cmds.
type Members interface {
	// Begin plans op, or takes up the same op where it stopped. An unsafe
	// plan, or another change in progress, is refused with the reason.
	Begin(ctx context.Context, op MemberChange) (MemberStatus, error)
	// Run runs the remaining steps of the planned change. A failed step
	// stops it; Begin with the same op and Run again resume there.
	Run(ctx context.Context) error
	// Status says where membership stands.
	Status() MemberStatus
}

// MemberStatus is where membership stands: in words, the configuration
// in force, and the change in progress with the number of its steps done.
type MemberStatus struct {
	Where   string
	Config  cluster.FileConfig
	Plan    *paxos.Plan
	Done    int
	Running bool
}

// MemberChange is a membership change the user asked for: Op "add"
// (a new node joins), "remove" (Node leaves) or "replace" (a new node
// takes Node's place). Addr is the new node's host:port; empty asks the
// environment to start the node itself.
type MemberChange struct {
	Op   string
	Node string
	Addr string
}

// ErrMemberBusy refuses a membership change while another one runs.
var ErrMemberBusy = errors.New("tui: a membership change is already running")

// MemberOptions configure NewMemberRunner.
type MemberOptions struct {
	// File is the cluster as it stands: nodes, identity, namespace and
	// configuration, with any change in progress.
	File cluster.File
	// Path, when not empty, is the cluster file every step rewrites.
	Path string
	// Proposers adopt each new configuration.
	Proposers cluster.Proposers
	// StartNode starts a new empty node for a change without an address;
	// nil means the user must give one.
	StartNode func(ctx context.Context) (*cluster.Node, error)
	// Listed adds a node that joins to what the dashboard shows; may be nil.
	Listed func(ctx context.Context, n *cluster.Node) error
	// Tracer receives the steps.
	Tracer paxos.Tracer
}

// MemberRunner runs membership changes with cluster.Membership, one at a
// time, starting or naming the node that joins.
type MemberRunner struct {
	opts MemberOptions

	mu      sync.Mutex // guards the fields below; not held while a step runs
	busy    bool       // between Begin and the end of Run
	machine *cluster.Membership
	names   []string // every node name seen, so none is given twice
	last    MemberStatus
}

var _ Members = (*MemberRunner)(nil)

// NewMemberRunner returns a runner over opts.File.
func NewMemberRunner(opts MemberOptions) (*MemberRunner, error) {
	m, err := cluster.NewMembership(opts.File, cluster.MembershipOptions{Path: opts.Path,
		Proposers: opts.Proposers, Tracer: opts.Tracer})
	if err != nil {
		return nil, err
	}
	r := &MemberRunner{opts: opts, machine: m}
	for _, n := range opts.File.Nodes {
		r.names = append(r.names, n.Name)
	}
	r.last = r.status()
	return r, nil
}

// status reads the machine; the caller holds mu and no step runs.
func (r *MemberRunner) status() MemberStatus {
	f := r.machine.File()
	s := MemberStatus{Where: r.machine.Where(), Config: f.Config}
	if ms := f.Membership; ms != nil && ms.Plan != nil {
		s.Plan, s.Done = ms.Plan, ms.Done
	}
	return s
}

// Status implements Members. While a change runs, it is the status at
// its start: the trace tells the steps since.
func (r *MemberRunner) Status() MemberStatus {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.last
}

// Begin implements Members.
func (r *MemberRunner) Begin(ctx context.Context, c MemberChange) (MemberStatus, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.busy {
		return r.last, ErrMemberBusy
	}
	op := cluster.MemberOp{Kind: c.Op, Node: c.Node}
	if c.Op == "add" || c.Op == "replace" {
		if err := r.precheck(c); err != nil {
			return r.last, err
		}
		n, err := r.newNode(ctx, c)
		if err != nil {
			return r.last, err
		}
		op.New = n
	}
	if _, err := r.machine.Begin(op); err != nil {
		return r.last, err
	}
	r.busy = true
	r.last = r.status()
	r.last.Running = true
	return r.last, nil
}

// Run implements Members.
func (r *MemberRunner) Run(ctx context.Context) error {
	r.mu.Lock()
	if !r.busy {
		r.mu.Unlock()
		return fmt.Errorf("%w: no membership change was planned", ErrUnavailable)
	}
	r.mu.Unlock()
	err := r.machine.Run(ctx) // busy keeps every other caller off the machine
	r.mu.Lock()
	defer r.mu.Unlock()
	r.busy = false
	r.last = r.status()
	return err
}

// precheck refuses a new add or replace that cannot be planned before a
// node is started for it.
func (r *MemberRunner) precheck(c MemberChange) error {
	if ms := r.machine.File().Membership; ms != nil && ms.Plan != nil {
		return nil // Begin resumes it or says what is in progress
	}
	var plan paxos.Plan
	var err error
	if c.Op == "add" {
		plan, err = paxos.PlanAdd(r.machine.State(), nextName(r.names))
	} else {
		plan, err = paxos.PlanReplace(r.machine.State(), c.Node, nextName(r.names))
	}
	if err != nil {
		return err
	}
	return plan.Validate()
}

// newNode names the node that joins: the one of the change in progress
// when it resumes, a node at the user's address, or one started here.
func (r *MemberRunner) newNode(ctx context.Context, c MemberChange) (cluster.FileNode, error) {
	f := r.machine.File()
	if ms := f.Membership; ms != nil && ms.Plan != nil {
		for _, st := range ms.Plan.Steps {
			if st.Kind == paxos.StepJoin {
				for _, n := range f.Nodes {
					if n.Name == st.Node {
						return n, nil // resuming: the node is known
					}
				}
			}
		}
	}
	var n *cluster.Node
	var err error
	switch {
	case c.Addr != "":
		n, err = cluster.NewNode(cluster.NodeOptions{Name: nextName(r.names), Kind: cluster.KindRemote, Addr: c.Addr, Tracer: r.opts.Tracer})
	case r.opts.StartNode != nil:
		n, err = r.opts.StartNode(ctx)
	default:
		return cluster.FileNode{}, fmt.Errorf("%w: this dashboard cannot start nodes; give the new node's address: member %s host:port",
			ErrUnavailable, c.Op)
	}
	if err != nil {
		return cluster.FileNode{}, err
	}
	r.names = append(r.names, n.Name())
	if r.opts.Listed != nil {
		if err := r.opts.Listed(ctx, n); err != nil {
			return cluster.FileNode{}, err
		}
	}
	return cluster.FileNode{Name: n.Name(), Addr: n.Addr(), Backend: n.Kind(), Dir: n.Dir(), PID: n.PID()}, nil
}

// nextName returns "aN" for the smallest N above every name "a<number>",
// so a node that left never lends its name.
func nextName(names []string) string {
	highest := 0
	for _, n := range names {
		var k int
		if _, err := fmt.Sscanf(n, "a%d", &k); err == nil && fmt.Sprintf("a%d", k) == n {
			highest = max(highest, k)
		}
	}
	return fmt.Sprintf("a%d", highest+1)
}
