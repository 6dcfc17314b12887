package check

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gryadka/gryadka/cluster"
	"github.com/gryadka/gryadka/kv"
	"github.com/gryadka/gryadka/paxos"
)

// memberHarness is a local cluster under a workload whose proposers
// follow membership changes through a cluster.ProposerSet.
type memberHarness struct {
	t      *testing.T
	cl     *cluster.Local
	net    *cluster.Network
	set    *cluster.ProposerSet
	stores []*kv.Store
	file   cluster.File
	rec    *Recorder
	w      Workload
	run    string

	rescanner *paxos.Proposer

	mu     sync.Mutex
	names  map[*paxos.Proposer]string
	direct []*cluster.RedisAcceptor
}

func startMemberHarness(t *testing.T, nodes int) *memberHarness {
	t.Helper()
	ctx := t.Context()
	cl, err := cluster.StartLocal(ctx, cluster.LocalOptions{Nodes: nodes, Backend: "embedded"})
	if err != nil {
		t.Fatal(err)
	}
	h := &memberHarness{t: t, cl: cl, net: cluster.NewNetwork(cluster.NetworkOptions{Seed: 7}), file: cl.File(),
		rec: NewRecorder(), w: Workload{Keys: 3, Clients: 6, OpTimeout: time.Second}, run: t.Name(),
		names: map[*paxos.Proposer]string{}}
	t.Cleanup(func() { _ = h.close() })
	h.set = cluster.NewProposerSet(h.dial)
	for i := range 2 {
		id := fmt.Sprintf("p%d", i+1)
		accs, err := cl.Acceptors(ctx, id, h.net)
		if err != nil {
			t.Fatal(err)
		}
		p, err := paxos.NewProposer(paxos.Options{ID: id, Config: paxos.Majority(accs...), OneRTT: true, RoundTimeout: roundTimeout})
		if err != nil {
			t.Fatal(err)
		}
		h.names[p] = id
		h.set.Add(p)
		h.rescanner = p
		h.stores = append(h.stores, kv.New(p, kv.WithBackoff(time.Millisecond, 20*time.Millisecond)))
	}
	return h
}

// dial reaches node n from proposer p through the fault network.
func (h *memberHarness) dial(ctx context.Context, p *paxos.Proposer, n cluster.FileNode) (paxos.Acceptor, error) {
	a, err := cluster.DialAcceptor(ctx, cluster.AcceptorOptions{Endpoint: cluster.Endpoint{Name: n.Name, Addr: n.Addr},
		Identity: h.file.Identity, InMemoryOK: true, Timeout: time.Second})
	if err != nil {
		return nil, err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.direct = append(h.direct, a)
	return h.net.Link(h.names[p], a), nil
}

func (h *memberHarness) close() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	errs := []error{h.set.Close()}
	for _, a := range h.direct {
		errs = append(errs, a.Close())
	}
	return errors.Join(append(errs, h.cl.Close())...)
}

// load runs the workload until the returned function is called.
func (h *memberHarness) load() (stop func()) {
	ctx, cancel := context.WithCancel(h.t.Context())
	done := make(chan struct{})
	go func() {
		defer close(done)
		runClients(ctx, h.w, 7, h.run, h.stores, h.rec)
	}()
	return func() { cancel(); <-done }
}

// change runs one membership change to the end, adding a fresh node
// for an add or a replace.
func (h *memberHarness) change(kind, node string, unsafe bool) {
	h.t.Helper()
	ctx := h.t.Context()
	op := cluster.MemberOp{Kind: kind, Node: node}
	if kind != "remove" {
		n, err := h.cl.AddNode(ctx)
		if err != nil {
			h.t.Fatal(err)
		}
		op.New = cluster.FileNode{Name: n.Name(), Addr: n.Addr(), Backend: n.Kind()}
	}
	m, err := cluster.NewMembership(h.file, cluster.MembershipOptions{Proposers: h.set, Unsafe: unsafe, Tracer: h,
		Rescanner: h.rescanner})
	if err != nil {
		h.t.Fatal(err)
	}
	if !unsafe {
		if _, err := m.Begin(op); err != nil {
			h.t.Fatal(err)
		}
	} else if err := m.Start(swapWithoutRescan(m.State(), node, op.New.Name), op.New); err != nil {
		h.t.Fatal(err)
	}
	// A step that fails (a rescan starved by the load) is retried: the
	// machine resumes at the failed step.
	for try := 1; ; try++ {
		err := m.Run(ctx)
		if err == nil {
			break
		}
		if try == 3 {
			h.t.Fatal(err)
		}
		h.t.Log(err)
	}
	h.file = m.File()
	h.t.Logf("%s %s: %s", kind, node+op.New.Name, paxos.Layout(h.file.Config))
}

// swapWithoutRescan is the replacement the paper warns about: shrink,
// then take the even→odd shortcut although the even configuration was
// reached without a rescan.
func swapWithoutRescan(s paxos.MemberState, old, node string) paxos.Plan {
	rest := slices.DeleteFunc(slices.Clone(s.Layout.Prepare), func(n string) bool { return n == old })
	return paxos.Plan{Op: "swap " + old + " for " + node, Start: s, Steps: []paxos.Step{
		{Kind: paxos.StepConfigure, Name: "shrink", Layout: paxos.MajorityLayout(rest...)},
		{Kind: paxos.StepJoin, Name: "join", Node: node, Layout: paxos.MajorityLayout(rest...)},
		{Kind: paxos.StepConfigure, Name: "grow without a rescan", Layout: paxos.MajorityLayout(append(rest, node)...)},
	}}
}

// Enabled implements paxos.Tracer: h logs the membership steps.
func (h *memberHarness) Enabled() bool { return true }

// Trace implements paxos.Tracer.
func (h *memberHarness) Trace(e paxos.Event) {
	if m, ok := e.(cluster.MembershipStep); ok && m.Phase != cluster.MemberStepProgress {
		h.t.Logf("%s %s", m.At.Format("15:04:05.000"), m.Text())
	}
}

func (h *memberHarness) check() Result {
	h.t.Helper()
	res := Check(h.rec.History(), time.Minute)
	h.t.Logf("%s: %d ops (%d unknown) on %d keys", res.Verdict, res.Ops, res.Unknown, res.Keys)
	return res
}

// From the paper: "It allows the cluster to continue operating normally
// during the configuration changes."
func TestMembership_GrowAndShrinkUnderLoadStaysLinearizable(t *testing.T) {
	h := startMemberHarness(t, 3)
	if err := h.net.Drop("p1", "a1", 0.2, 0.2); err != nil {
		t.Fatal(err)
	}
	if err := h.net.Delay("p2", "a2", time.Millisecond, 3*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	stop := h.load()
	time.Sleep(300 * time.Millisecond)
	h.change("add", "", false)      // 3 → 4
	h.change("add", "", false)      // 4 → 5
	h.change("remove", "a5", false) // 5 → 4
	h.change("remove", "a4", false) // 4 → 3, with the rescan first
	time.Sleep(300 * time.Millisecond)
	stop()
	if res := h.check(); res.Verdict != Linearizable || res.Ops < 20 {
		t.Fatalf("want a linearizable history of at least 20 ops, have %s with %d ops (bad keys %v)", res.Verdict, res.Ops, res.Bad)
	}
	if want, have := "prepare 2/3 [a1 a2 a3] accept 2/3 [a1 a2 a3]", paxos.Layout(h.file.Config).String(); want != have {
		t.Errorf("want %s, have %s", want, have)
	}
}

func TestMembership_ReplaceUnderLoadStaysLinearizable(t *testing.T) {
	h := startMemberHarness(t, 3)
	if err := h.net.Drop("p2", "a3", 0.2, 0.2); err != nil {
		t.Fatal(err)
	}
	stop := h.load()
	time.Sleep(300 * time.Millisecond)
	h.change("replace", "a2", false)
	time.Sleep(300 * time.Millisecond)
	stop()
	if res := h.check(); res.Verdict != Linearizable || res.Ops < 10 {
		t.Fatalf("want a linearizable history of at least 10 ops, have %s with %d ops (bad keys %v)", res.Verdict, res.Ops, res.Bad)
	}
	if want, have := "prepare 2/3 [a1 a3 a4] accept 2/3 [a1 a3 a4]", paxos.Layout(h.file.Config).String(); want != have {
		t.Errorf("want %s, have %s", want, have)
	}
}

// From the paper: "without the mandatory re-scan, it's possible
// sequentially replace every acceptor with empty acceptor, lose all data
// and violate linearizability." The swaps run while the clients rest, so
// no write copies a value onto the new nodes by chance.
func TestMembership_SwappingNodesWithoutRescanIsCaught(t *testing.T) {
	h := startMemberHarness(t, 3)
	stop := h.load()
	time.Sleep(500 * time.Millisecond)
	stop()
	for _, old := range []string{"a1", "a2", "a3"} {
		h.change("replace", old, true)
	}
	stop = h.load()
	time.Sleep(500 * time.Millisecond)
	stop()
	if err := swapWithoutRescan(paxos.NewMemberState(paxos.MajorityLayout("a1", "a2", "a3")), "a1", "a4").Validate(); !errors.Is(err, paxos.ErrUnsafeStep) {
		t.Errorf("want the swap refused by Validate, have %v", err)
	}
	if res := h.check(); res.Verdict != Violation {
		t.Fatalf("want the lost values caught as a violation, have %s with %d ops", res.Verdict, res.Ops)
	}
}
