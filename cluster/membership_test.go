package cluster

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/gryadka/gryadka/paxos"
)

// memberEvents records the MembershipSteps it is given.
type memberEvents struct {
	mu     sync.Mutex
	events []MembershipStep
}

func (c *memberEvents) Enabled() bool { return true }

func (c *memberEvents) Trace(e paxos.Event) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.events = append(c.events, e.(MembershipStep))
}

// failOnce fails the configure step that installs a configuration of
// size n, the first time only.
type failOnce struct {
	Proposers
	n      int
	failed bool
}

func (f *failOnce) Apply(ctx context.Context, nodes []FileNode, cfg FileConfig) error {
	if len(cfg.Prepare) == f.n && !f.failed {
		f.failed = true
		return errors.New("proposer p9 did not answer")
	}
	return f.Proposers.Apply(ctx, nodes, cfg)
}

type memberFixture struct {
	l    *Local
	p    *paxos.Proposer
	set  *ProposerSet
	path string
}

func memberTestStart(t *testing.T, keys int) memberFixture {
	t.Helper()
	ctx := nodeTestContext(t)
	l := localTestStart(t, LocalOptions{Nodes: 3})
	p := localTestProposer(t, l, nil)
	for i := range keys {
		if _, err := p.Change(ctx, fmt.Sprintf("k%d", i), localTestSet(fmt.Sprint(i))); err != nil {
			t.Fatal(err)
		}
	}
	set := NewProposerSet(func(ctx context.Context, _ *paxos.Proposer, n FileNode) (paxos.Acceptor, error) {
		return DialAcceptor(ctx, AcceptorOptions{Endpoint: Endpoint{Name: n.Name, Addr: n.Addr}, Identity: l.Identity(), InMemoryOK: true})
	}, p)
	t.Cleanup(func() { _ = set.Close() })
	path := filepath.Join(t.TempDir(), FileName)
	if err := WriteFile(path, l.File()); err != nil {
		t.Fatal(err)
	}
	return memberFixture{l: l, p: p, set: set, path: path}
}

// file is the cluster file as written before any node was added.
func (f memberFixture) file(t *testing.T) File {
	t.Helper()
	file, err := LoadFile(f.path)
	if err != nil {
		t.Fatal(err)
	}
	return file
}

func (f memberFixture) addNode(t *testing.T) FileNode {
	t.Helper()
	n, err := f.l.AddNode(nodeTestContext(t))
	if err != nil {
		t.Fatal(err)
	}
	return FileNode{Name: n.Name(), Addr: n.Addr(), Backend: n.Kind()}
}

// holders counts, for each key k0..k<keys-1>, the nodes whose accepted
// value is the key's number.
func (f memberFixture) holders(t *testing.T, keys int) []int {
	t.Helper()
	counts := make([]int, keys)
	for _, n := range f.l.Nodes() {
		a, err := DialAcceptor(nodeTestContext(t), AcceptorOptions{Endpoint: Endpoint{Name: n.Name(), Addr: n.Addr()}, InMemoryOK: true})
		if err != nil {
			t.Fatal(err)
		}
		for i := range keys {
			s, err := a.State(nodeTestContext(t), fmt.Sprintf("k%d", i))
			if err != nil {
				t.Fatal(err)
			}
			if string(s.Value) == fmt.Sprint(i) {
				counts[i]++
			}
		}
		_ = a.Close()
	}
	return counts
}

func TestLocal_AddNodeStartsAnEmptyNodeOutsideTheCluster(t *testing.T) {
	f := memberTestStart(t, 0)
	n := f.addNode(t)
	if n.Name != "a4" {
		t.Errorf("name: want a4, have %s", n.Name)
	}
	if have := len(f.l.Nodes()); have != 4 {
		t.Errorf("nodes: want 4, have %d", have)
	}
	a, err := DialAcceptor(nodeTestContext(t), AcceptorOptions{Endpoint: Endpoint{Name: n.Name, Addr: n.Addr}, InMemoryOK: true})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if id, err := a.Identity(nodeTestContext(t)); err != nil || id != "" {
		t.Errorf("identity: want none, have %q (%v)", id, err)
	}
}

// From the paper: after grow step 3 "the state of the cluster becomes
// valid from the F+2 perspective": every key sits on F+2 of 2F+2 nodes.
func TestMembership_AddRescansEveryKeyOntoFPlus2Nodes(t *testing.T) {
	const keys = 20
	f := memberTestStart(t, keys)
	node := f.addNode(t)
	events := &memberEvents{}
	m, err := NewMembership(f.file(t), MembershipOptions{Path: f.path, Proposers: f.set, Tracer: events})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Begin(MemberOp{Kind: "add", New: node}); err != nil {
		t.Fatal(err)
	}
	if err := m.Run(nodeTestContext(t)); err != nil {
		t.Fatal(err)
	}
	for i, have := range f.holders(t, keys) {
		if have < 3 {
			t.Errorf("k%d: want the value on at least 3 of 4 nodes, have %d", i, have)
		}
	}
	if want, have := "prepare 3/4 [a1 a2 a3 a4] accept 3/4 [a1 a2 a3 a4]", f.p.Config().String(); want != have {
		t.Errorf("proposer: want %s, have %s", want, have)
	}
	onDisk, err := LoadFile(f.path)
	if err != nil {
		t.Fatal(err)
	}
	if onDisk.Membership == nil || onDisk.Membership.Plan != nil || len(onDisk.Config.Accept) != 4 {
		t.Errorf("file: want 4 nodes and no plan in progress, have %+v", onDisk.Membership)
	}
	last := events.events[len(events.events)-1]
	var rescan MembershipStep
	for _, e := range events.events {
		if e.Action == paxos.StepRescan && e.Phase == MemberStepProgress {
			rescan = e
		}
	}
	t.Log(rescan.Text())
	if last.Phase != MemberPlanDone || rescan.KeysDone != keys || rescan.KeysTotal != keys {
		t.Errorf("events: want a finished plan and %d/%d keys rescanned, have %s and %s", keys, keys, last.Text(), rescan.Text())
	}
}

func TestMembership_RunResumesAtTheFailedStep(t *testing.T) {
	f := memberTestStart(t, 5)
	node := f.addNode(t)
	flaky := &failOnce{Proposers: f.set, n: 4}
	m, err := NewMembership(f.file(t), MembershipOptions{Path: f.path, Proposers: flaky})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Begin(MemberOp{Kind: "add", New: node}); err != nil {
		t.Fatal(err)
	}
	err = m.Run(nodeTestContext(t))
	var se *StepError
	if !errors.As(err, &se) || se.Step != 4 || !strings.Contains(err.Error(), "grow step 4") {
		t.Fatalf("want step 4 (grow step 4) to fail, have %v", err)
	}
	// A new run, as after a crash, starts from the file.
	saved, err := LoadFile(f.path)
	if err != nil {
		t.Fatal(err)
	}
	again, err := NewMembership(saved, MembershipOptions{Path: f.path, Proposers: flaky})
	if err != nil {
		t.Fatal(err)
	}
	if want, have := "add a4: 3 of 4 steps done; next: step 4", again.Where(); !strings.HasPrefix(have, want) {
		t.Errorf("where: want %q…, have %q", want, have)
	}
	if _, err := again.Begin(MemberOp{Kind: "remove", Node: "a1"}); !errors.Is(err, ErrChangeInProgress) {
		t.Errorf("another change: want ErrChangeInProgress, have %v", err)
	}
	if _, err := again.Begin(MemberOp{Kind: "add", New: node}); err != nil {
		t.Fatalf("the same change: want it resumed, have %v", err)
	}
	if err := again.Run(nodeTestContext(t)); err != nil {
		t.Fatal(err)
	}
	if have := again.File().Config; len(have.Prepare) != 4 || have.PrepareQuorum != 3 {
		t.Errorf("want 4 nodes, 3 to prepare, have %+v", have)
	}
}

func TestMembership_JoinRefusesANodeWithData(t *testing.T) {
	f := memberTestStart(t, 0)
	node := f.addNode(t)
	a, err := DialAcceptor(nodeTestContext(t), AcceptorOptions{Endpoint: Endpoint{Name: node.Name, Addr: node.Addr}, InMemoryOK: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Prepare(nodeTestContext(t), "stale", paxos.Ballot{Counter: 1, Proposer: "old.1"}); err != nil {
		t.Fatal(err)
	}
	_ = a.Close()
	m, err := NewMembership(f.file(t), MembershipOptions{Proposers: f.set})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Begin(MemberOp{Kind: "add", New: node}); err != nil {
		t.Fatal(err)
	}
	err = m.Run(nodeTestContext(t))
	if err == nil || !strings.Contains(err.Error(), "must be empty") {
		t.Errorf("want the join refused, have %v", err)
	}
}

func TestMembership_RemoveDropsTheNodeFromTheFile(t *testing.T) {
	f := memberTestStart(t, 3)
	m, err := NewMembership(f.file(t), MembershipOptions{Path: f.path, Proposers: f.set})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Begin(MemberOp{Kind: "remove", Node: "a2"}); err != nil {
		t.Fatal(err)
	}
	if err := m.Run(nodeTestContext(t)); err != nil {
		t.Fatal(err)
	}
	have := m.File()
	for _, n := range have.Nodes {
		if n.Name == "a2" {
			t.Errorf("want a2 gone from the file, have %+v", have.Nodes)
		}
	}
	if m.State().Rescanned() {
		t.Error("2 nodes reached by shrinking 3: want not rescanned")
	}
	if _, err := f.p.Change(nodeTestContext(t), "k1", localTestSet("x")); err != nil {
		t.Errorf("a change on the shrunk cluster: %v", err)
	}
}
