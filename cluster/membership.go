package cluster

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/gryadka/gryadka/paxos"
)

// ErrChangeInProgress is returned by Membership.Begin when the cluster
// file holds another, unfinished membership change.
var ErrChangeInProgress = errors.New("cluster: another membership change is in progress")

// MembershipState is what a cluster file keeps of membership changes:
// the plan in progress and how many of its steps are done, and where the
// values written under earlier configurations may sit.
type MembershipState struct {
	Written []paxos.Spread `json:"written"`
	Plan    *paxos.Plan    `json:"plan,omitempty"`
	Done    int            `json:"done,omitempty"`
}

// Proposers is every proposer that must adopt a configuration before the
// next membership step may start.
type Proposers interface {
	// Apply has every proposer use cfg, whose acceptors are among nodes,
	// and returns once all of them do. The step machine calls it once per
	// configure step, never concurrently; it may block on the network,
	// and must be safe to call again with the same cfg after a failure.
	Apply(ctx context.Context, nodes []FileNode, cfg FileConfig) error
}

// MembershipOptions configure NewMembership.
type MembershipOptions struct {
	// Path is the cluster file, written after every step. Empty keeps the
	// state in memory only (File returns it).
	Path string
	// Proposers are told each new configuration.
	Proposers Proposers
	// Dial connects to a node for joining, listing keys and the rescan.
	// Default: DialAcceptor with the file's namespace. identity is "" for
	// no identity check.
	Dial func(ctx context.Context, n FileNode, identity string) (*RedisAcceptor, error)
	// Rescanner, if not nil, runs the rescan's identity changes: a
	// proposer among Proposers, so it holds each configuration applied.
	// Going through a proposer the clients use lets the identity change
	// share rounds with theirs instead of duelling with them. Nil: the
	// machine dials the nodes and uses a proposer of its own.
	Rescanner *paxos.Proposer
	// Concurrency is how many keys the rescan changes at once (default 8).
	Concurrency int
	// Tracer receives a MembershipStep at each step and during a rescan.
	Tracer paxos.Tracer
	// Unsafe runs a plan that Validate refuses: for tests and teaching.
	Unsafe bool
	// Now stamps events and measures the rescan rate (default time.Now).
	Now func() time.Time
}

// MemberOp is a membership change to plan: Kind "add" (New joins),
// "remove" (Node leaves) or "replace" (New takes Node's place).
type MemberOp struct {
	Kind string
	Node string
	New  FileNode
}

// Membership runs membership changes on a cluster, one step at a time,
// recording each step in the cluster file so that a failed or
// interrupted change resumes where it stopped. It is not safe for
// concurrent use.
type Membership struct {
	opts MembershipOptions
	file File
	mu   sync.Mutex // orders the events of the rescan's workers
}

// NewMembership returns the step machine of the cluster f.
func NewMembership(f File, opts MembershipOptions) (*Membership, error) {
	if opts.Proposers == nil {
		return nil, errors.New("cluster: membership: no proposers to configure")
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = 8
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Dial == nil {
		ns := f.Namespace
		opts.Dial = func(ctx context.Context, n FileNode, identity string) (*RedisAcceptor, error) {
			return DialAcceptor(ctx, AcceptorOptions{Endpoint: Endpoint{Name: n.Name, Addr: n.Addr}, Namespace: ns,
				Identity: identity, InMemoryOK: n.Backend == KindEmbedded})
		}
	}
	return &Membership{opts: opts, file: f}, nil
}

// File returns the cluster as the machine last left it.
func (m *Membership) File() File { return m.file }

// State returns what the machine knows of the cluster's history.
func (m *Membership) State() paxos.MemberState {
	s := paxos.NewMemberState(paxos.Layout(m.file.Config))
	if m.file.Membership != nil && len(m.file.Membership.Written) > 0 {
		s.Written = m.file.Membership.Written
	}
	return s
}

// Where says in words where the machine stands.
func (m *Membership) Where() string {
	ms := m.file.Membership
	if ms == nil || ms.Plan == nil {
		return "no membership change in progress; configuration " + paxos.Layout(m.file.Config).String()
	}
	p := ms.Plan
	if ms.Done >= len(p.Steps) {
		return fmt.Sprintf("%s: all %d steps done; run it again to record the end", p.Op, len(p.Steps))
	}
	return fmt.Sprintf("%s: %d of %d steps done; next: step %d (%s)", p.Op, ms.Done, len(p.Steps), ms.Done+1, p.Steps[ms.Done].Name)
}

// Begin plans op and records the plan, or resumes when the same op is
// already in progress. It refuses another op while one is unfinished,
// and an op whose plan could lose a value (unless Unsafe).
func (m *Membership) Begin(op MemberOp) (paxos.Plan, error) {
	var plan paxos.Plan
	var err error
	s := m.State()
	switch op.Kind {
	case "add":
		plan, err = paxos.PlanAdd(s, op.New.Name)
	case "remove":
		plan, err = paxos.PlanRemove(s, op.Node)
	case "replace":
		plan, err = paxos.PlanReplace(s, op.Node, op.New.Name)
	default:
		return plan, fmt.Errorf("cluster: unknown membership change %q: want add, remove or replace", op.Kind)
	}
	if ms := m.file.Membership; ms != nil && ms.Plan != nil {
		if ms.Plan.Op == plan.Op {
			return *ms.Plan, nil
		}
		return *ms.Plan, fmt.Errorf("%w: %s", ErrChangeInProgress, m.Where())
	}
	if err != nil {
		return plan, err
	}
	return plan, m.Start(plan, op.New)
}

// Start records plan as the change in progress, adding node to the
// file's nodes when the plan joins it. Unless Unsafe, an unsafe plan is
// refused with the explanation.
func (m *Membership) Start(plan paxos.Plan, node FileNode) error {
	if !m.opts.Unsafe {
		if err := plan.Validate(); err != nil {
			return err
		}
	}
	f := m.file
	f.Nodes = slices.Clone(f.Nodes)
	for _, st := range plan.Steps {
		if st.Kind == paxos.StepJoin && !slices.ContainsFunc(f.Nodes, func(n FileNode) bool { return n.Name == st.Node }) {
			if node.Name != st.Node {
				return fmt.Errorf("cluster: %s: node %s has no address", plan.Op, st.Node)
			}
			f.Nodes = append(f.Nodes, node)
		}
	}
	f.Membership = &MembershipState{Written: plan.Start.Written, Plan: &plan}
	return m.save(f)
}

// StepError is a membership step that failed; running again retries it.
type StepError struct {
	Op    string
	Step  int // counted from 1
	Steps int
	Name  string
	Err   error
}

// Error names the step, why it failed and how to resume.
func (e *StepError) Error() string {
	return fmt.Sprintf("%s: step %d of %d (%s) failed: %v; run the change again to resume there", e.Op, e.Step, e.Steps, e.Name, e.Err)
}

// Unwrap returns the cause.
func (e *StepError) Unwrap() error { return e.Err }

// Run runs the remaining steps of the change in progress, recording each
// in the cluster file. A failed step is returned as a *StepError and
// recorded as not done, so Run resumes with it.
func (m *Membership) Run(ctx context.Context) error {
	ms := m.file.Membership
	if ms == nil || ms.Plan == nil {
		return nil
	}
	plan := *ms.Plan
	for ms.Done < len(plan.Steps) {
		i, step := ms.Done, plan.Steps[ms.Done]
		ev := MembershipStep{Op: plan.Op, Step: i + 1, Steps: len(plan.Steps), Action: step.Kind, Name: step.Name,
			Config: FileConfig(step.Layout)}
		m.emit(ev, MemberStepStarted)
		next, err := m.State().Apply(step)
		if err != nil && !m.opts.Unsafe {
			return m.fail(ev, err)
		}
		if err := m.do(ctx, step, ev); err != nil {
			return m.fail(ev, err)
		}
		f := m.file
		if step.Kind == paxos.StepConfigure {
			f.Config = FileConfig(step.Layout)
		}
		if err != nil { // an unsafe step, run on purpose: the history stays as it was
			next = m.State()
		}
		ms = &MembershipState{Written: next.Written, Plan: &plan, Done: i + 1}
		f.Membership = ms
		if err := m.save(f); err != nil {
			return m.fail(ev, err)
		}
		m.emit(ev, MemberStepDone)
	}
	return m.finish(plan)
}

// finish drops the plan and the nodes that left the configuration.
func (m *Membership) finish(plan paxos.Plan) error {
	f := m.file
	used := map[string]bool{}
	for _, n := range append(slices.Clone(f.Config.Prepare), f.Config.Accept...) {
		used[n] = true
	}
	f.Nodes = slices.DeleteFunc(slices.Clone(f.Nodes), func(n FileNode) bool {
		return !used[n.Name] && slices.Contains(plan.Start.Layout.Accept, n.Name)
	})
	f.Membership = &MembershipState{Written: f.Membership.Written}
	if err := m.save(f); err != nil {
		return err
	}
	m.emit(MembershipStep{Op: plan.Op, Step: len(plan.Steps), Steps: len(plan.Steps), Config: f.Config}, MemberPlanDone)
	return nil
}

func (m *Membership) do(ctx context.Context, step paxos.Step, ev MembershipStep) error {
	switch step.Kind {
	case paxos.StepJoin:
		return m.join(ctx, step.Node)
	case paxos.StepConfigure:
		return m.opts.Proposers.Apply(ctx, m.file.Nodes, FileConfig(step.Layout))
	case paxos.StepRescan:
		return m.rescan(ctx, step.Layout, ev)
	}
	return fmt.Errorf("cluster: unknown membership step %s", step.Kind)
}

// join gives the node the identity. A new node must be empty: one that
// holds keys but not this cluster's identity is refused, since its data
// would vote as if it came from this cluster.
func (m *Membership) join(ctx context.Context, name string) error {
	n, err := m.node(name)
	if err != nil {
		return err
	}
	a, err := m.opts.Dial(ctx, n, "")
	if err != nil {
		return err
	}
	defer a.Close()
	id, err := a.Identity(ctx)
	if err != nil || id == m.file.Identity {
		return err
	}
	keys, err := a.Keys(ctx, "", 1)
	if err != nil {
		return err
	}
	if len(keys) > 0 {
		return fmt.Errorf("cluster: %s is not empty (it holds key %q): a joining node must be empty", name, keys[0])
	}
	return a.Join(ctx, m.file.Identity)
}

func (m *Membership) node(name string) (FileNode, error) {
	for _, n := range m.file.Nodes {
		if n.Name == name {
			return n, nil
		}
	}
	return FileNode{}, fmt.Errorf("cluster: node %s is not in the cluster file", name)
}

func (m *Membership) save(f File) error {
	if m.opts.Path != "" {
		if err := WriteFile(m.opts.Path, f); err != nil {
			return err
		}
	}
	m.file = f
	return nil
}

func (m *Membership) fail(ev MembershipStep, err error) error {
	ev.Err = err.Error()
	m.emit(ev, MemberStepFailed)
	return &StepError{Op: ev.Op, Step: ev.Step, Steps: ev.Steps, Name: ev.Name, Err: err}
}

func (m *Membership) emit(ev MembershipStep, phase MembershipPhase) {
	if t := m.opts.Tracer; t != nil && t.Enabled() {
		m.mu.Lock()
		defer m.mu.Unlock()
		ev.At, ev.Phase = m.opts.Now(), phase
		t.Trace(ev)
	}
}
