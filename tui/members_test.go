package tui

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/gryadka/gryadka/cluster"
	"github.com/gryadka/gryadka/paxos"
	"github.com/gryadka/gryadka/trace"
)

// fakeMembers plans add a4 as four steps and, on Run, traces them with a
// rescan of 10 keys; refuse makes Begin fail.
type fakeMembers struct {
	tracer paxos.Tracer
	refuse error
	began  []MemberChange
	ran    int
}

func (f *fakeMembers) plan() *paxos.Plan {
	l3, l4 := paxos.MajorityLayout("a1", "a2", "a3"), paxos.MajorityLayout("a1", "a2", "a3", "a4")
	wide := l3
	wide.Accept, wide.AcceptQuorum = l4.Accept, 3
	return &paxos.Plan{Op: "add a4", Steps: []paxos.Step{
		{Kind: paxos.StepJoin, Name: "join a4", Node: "a4", Layout: l3},
		{Kind: paxos.StepConfigure, Name: "widen the accept set to 4 nodes, quorum 3", Layout: wide},
		{Kind: paxos.StepRescan, Name: "rescan every key", Layout: wide},
		{Kind: paxos.StepConfigure, Name: "widen the prepare set to 4 nodes, quorum 3", Layout: l4},
	}}
}

func (f *fakeMembers) Begin(_ context.Context, c MemberChange) (MemberStatus, error) {
	f.began = append(f.began, c)
	if f.refuse != nil {
		return MemberStatus{}, f.refuse
	}
	return MemberStatus{Where: "add a4: 0 of 4 steps done", Config: cluster.MajorityConfig("a1", "a2", "a3"),
		Plan: f.plan(), Running: true}, nil
}

func (f *fakeMembers) Run(context.Context) error {
	f.ran++
	p := f.plan()
	for i, st := range p.Steps {
		ev := cluster.MembershipStep{Op: p.Op, Step: i + 1, Steps: len(p.Steps), Action: st.Kind, Name: st.Name,
			Config: cluster.FileConfig(st.Layout)}
		for _, phase := range []cluster.MembershipPhase{cluster.MemberStepStarted, cluster.MemberStepDone} {
			ev.Phase = phase
			if st.Kind == paxos.StepRescan && phase == cluster.MemberStepDone {
				ev.KeysDone, ev.KeysTotal, ev.Rate = 10, 10, 500
			}
			f.tracer.Trace(ev)
		}
	}
	f.tracer.Trace(cluster.MembershipStep{Op: p.Op, Step: 4, Steps: 4, Phase: cluster.MemberPlanDone,
		Config: cluster.FileConfig(p.Steps[3].Layout)})
	return nil
}

func (f *fakeMembers) Status() MemberStatus {
	return MemberStatus{Where: "no membership change in progress; configuration prepare 3/4", Config: cluster.MajorityConfig("a1", "a2", "a3", "a4")}
}

func TestModel_MemberAddShowsThePlanAndRunsIt(t *testing.T) {
	te := newTestEnv(t)
	fm := &fakeMembers{tracer: te.col}
	te.env.Members = fm
	d := newDriver(t, te.env, 100, 30)
	from := 0
	d.command("member add")
	d.traced(te, &from)
	wantStatus(t, d, "member add: done")
	if len(fm.began) != 1 || fm.began[0] != (MemberChange{Op: "add"}) || fm.ran != 1 {
		t.Fatalf("want one begin of add and one run, have %v and %d runs", fm.began, fm.ran)
	}
	v := view(d)
	for _, want := range []string{"[6 members]", "membership: add a4 · done", "✓ 3 rescan    rescan every key",
		"100% 10/10 keys · 500 keys/s", "configuration prepare 3/4 [a1 a2 a3 a4] accept 3/4"} {
		if !strings.Contains(v, want) {
			t.Errorf("want %q in\n%s", want, v)
		}
	}
}

func TestModel_MemberRefusalInWords(t *testing.T) {
	te := newTestEnv(t)
	why := fmt.Errorf("%w: a prepare quorum of 2 among [a1 a2 a3 a4] can miss a value written to 3 of [a1 a2 a3 a4]", paxos.ErrUnsafeStep)
	fm := &fakeMembers{tracer: te.col, refuse: why}
	te.env.Members = fm
	d := newDriver(t, te.env, 100, 30)
	d.command("member replace a2 127.0.0.1:6399")
	wantStatus(t, d, "member replace a2 127.0.0.1:6399: paxos: unsafe membership step: a prepare quorum of 2")
	if fm.ran != 0 {
		t.Errorf("want a refused change never run, have %d runs", fm.ran)
	}
	if len(fm.began) != 1 || fm.began[0] != (MemberChange{Op: "replace", Node: "a2", Addr: "127.0.0.1:6399"}) {
		t.Errorf("want the replace asked for, have %v", fm.began)
	}
}

func TestModel_MemberAndGCUnavailable(t *testing.T) {
	tests := map[string]struct {
		line string
		want string
	}{
		"member without runner": {"member remove a3", "cannot change the cluster's membership"},
		"gc without collector":  {"gc k", "cannot collect garbage"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			d := newDriver(t, newTestEnv(t).env, 80, 24)
			d.command(tc.line)
			wantStatus(t, d, tc.want)
		})
	}
}

func TestModel_MemberStatusIsNotAWrite(t *testing.T) {
	te := newTestEnv(t)
	te.env.Members, te.env.ReadOnly = &fakeMembers{tracer: te.col}, true
	d := newDriver(t, te.env, 80, 24)
	d.command("member status")
	wantStatus(t, d, "no membership change in progress")
	d.command("member remove a3")
	wantStatus(t, d, "read-only")
}

// The membership panel in the middle of a rescan, at 80x24.
func TestGolden_MembersMidRescan(t *testing.T) {
	te := goldenEnv(t)
	fm := &fakeMembers{tracer: te.col}
	te.env.Members = fm
	d := newDriver(t, te.env, 80, 24)
	s, _ := fm.Begin(context.Background(), MemberChange{Op: "add"})
	d.m.members.Update(memberPlannedMsg{Line: "member add", Status: s})
	d.m.setTab(tabMembers)
	p := fm.plan()
	var recs []trace.Record
	for i, ph := range []cluster.MembershipPhase{cluster.MemberStepStarted, cluster.MemberStepDone,
		cluster.MemberStepStarted, cluster.MemberStepDone, cluster.MemberStepStarted, cluster.MemberStepProgress} {
		st := p.Steps[i/2]
		ev := cluster.MembershipStep{At: time.Unix(0, 0), Op: p.Op, Step: i/2 + 1, Steps: 4, Action: st.Kind, Name: st.Name,
			Phase: ph, Config: cluster.FileConfig(st.Layout)}
		if ph == cluster.MemberStepProgress {
			ev.KeysDone, ev.KeysTotal, ev.Rate = 1200, 3000, 850
		}
		recs = append(recs, trace.Record{Seq: uint64(i + 1), Event: ev})
	}
	d.msg(traceBatchMsg{Records: recs})
	golden.RequireEqual(t, []byte(ansi.Strip(d.m.View())))
}
