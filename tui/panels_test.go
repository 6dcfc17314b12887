package tui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/gryadka/gryadka/cluster"
	"github.com/gryadka/gryadka/paxos"
	"github.com/gryadka/gryadka/trace"
)

func TestDiagram_RevealsAChangeInDoubt(t *testing.T) {
	d := newDiagram()
	for _, r := range demoRecords() {
		d.apply(r)
	}
	var doubt *change
	for i := range d.changes.len() {
		if c := d.changes.at(i); c.indefinite {
			doubt = c
		}
	}
	if doubt == nil {
		t.Fatal("want a change in doubt")
	}
	if want := "chosen: #2 of p2 adopted it"; doubt.revealed != want {
		t.Errorf("want %q, have %q", want, doubt.revealed)
	}
	if have := d.inDoubt(); have != 0 {
		t.Errorf("want no change left in doubt, have %d", have)
	}
}

func TestDiagram_KeepsBoundedHistory(t *testing.T) {
	d := newDiagram()
	recs := realRecords(t, maxChanges+50)
	for _, r := range recs {
		d.apply(r)
	}
	if have := d.changes.len(); have != maxChanges {
		t.Errorf("want %d changes kept, have %d", maxChanges, have)
	}
	if have := len(d.index); have != maxChanges {
		t.Errorf("want the index bounded to %d, have %d", maxChanges, have)
	}
}

func TestProtocolPanel_FreezeScrollAndResume(t *testing.T) {
	p := newProtocolPanel(DefaultStyles(), DefaultKeyMap())
	p.SetSize(78, 12)
	recs := demoRecords()
	p.Update(traceBatchMsg{Records: recs[:20]})
	p.Update(keyMsg(" "))
	p.Update(traceBatchMsg{Records: recs[20:]})
	if v := ansi.Strip(p.View()); !strings.Contains(v, "paused") || strings.Contains(v, "#3 p1 set j") {
		t.Errorf("want a paused view without the new changes, have\n%s", v)
	}
	p.Update(keyMsg(" "))
	if v := ansi.Strip(p.View()); !strings.Contains(v, "accept 8:p2") {
		t.Errorf("want the waiting changes shown after resuming, have\n%s", v)
	}
	p.Update(keyMsg("g"))
	if v := ansi.Strip(p.View()); !strings.Contains(v, "#1 p1 incr k") || !p.frozen {
		t.Errorf("want the oldest change and a paused view, have\n%s", v)
	}
	p.Update(keyMsg("G"))
	if p.frozen || p.offset != 0 {
		t.Errorf("want G to follow the newest again, have frozen=%v offset=%d", p.frozen, p.offset)
	}
}

func TestProtocolPanel_MarksConflictsAndDoubt(t *testing.T) {
	p := newProtocolPanel(DefaultStyles(), DefaultKeyMap())
	p.SetSize(100, 200)
	p.Update(traceBatchMsg{Records: demoRecords()})
	v := ansi.Strip(p.View())
	for _, want := range []string{"conflict, seen 6:p2", "fast-forward to 6:p2", "failed: conflict",
		"was in doubt, chosen: #2 of p2 adopted it", "timeout", "prepare quorum lost: 1 yes, 2 no, 2 needed", "1RTT"} {
		if !strings.Contains(v, want) {
			t.Errorf("want %q in\n%s", want, v)
		}
	}
}

func TestProtocolPanel_NarrowFallsBackToText(t *testing.T) {
	p := newProtocolPanel(DefaultStyles(), DefaultKeyMap())
	p.SetSize(30, 40)
	p.Update(traceBatchMsg{Records: demoRecords()})
	if v := ansi.Strip(p.View()); !strings.Contains(v, "p2 → a1") {
		t.Errorf("want plain text rows, have\n%s", v)
	}
}

func TestInvariants_OneValuePerBallot(t *testing.T) {
	inv := newInvariants()
	m := paxos.Meta{Proposer: "p1.0", Change: 1, Key: "k"}
	inv.apply(trace.Record{Seq: 1, Event: paxos.MessageSent{Meta: m, Phase: paxos.PhaseAccept, Acceptor: "a1", Ballot: ballot(3, "p1"), Value: []byte("x")}})
	inv.apply(trace.Record{Seq: 2, Event: paxos.MessageSent{Meta: m, Phase: paxos.PhaseAccept, Acceptor: "a2", Ballot: ballot(3, "p1"), Value: []byte("x")}})
	if inv.violation != "" {
		t.Fatalf("want no violation for one value, have %s", inv.violation)
	}
	inv.apply(trace.Record{Seq: 3, Event: paxos.MessageSent{Meta: m, Phase: paxos.PhaseAccept, Acceptor: "a3", Ballot: ballot(3, "p1"), Value: []byte("y")}})
	if !strings.Contains(inv.violation, "two values under ballot 3:p1 of key k") {
		t.Errorf("want a violation, have %q", inv.violation)
	}
}

func TestInvariants_PrepareMustSeeTheLastCommit(t *testing.T) {
	s := newScript()
	s.round("p1", 1, "k", "set k", ballot(1, "p1"), paxos.Ballot{}, false, "1", allOK, allOK)
	s.round("p2", 1, "k", "get k", ballot(2, "p2"), paxos.Ballot{}, false, "1", allOK, allOK) // saw nothing: stale
	inv := newInvariants()
	for _, r := range s.records {
		inv.apply(r)
	}
	if !strings.Contains(inv.violation, "change #1 of p2 on key k read ballot 0, older than the committed 1:p1") {
		t.Errorf("want a stale read found, have %q", inv.violation)
	}

	ok := newInvariants()
	for _, r := range demoRecords() {
		ok.apply(r)
	}
	if ok.violation != "" || ok.checked == 0 {
		t.Errorf("want a correct history to pass, have %q after %d checks", ok.violation, ok.checked)
	}
}

func TestInvariants_GapResets(t *testing.T) {
	s := newScript()
	s.round("p1", 1, "k", "set k", ballot(1, "p1"), paxos.Ballot{}, false, "1", allOK, allOK)
	s.round("p2", 1, "k", "get k", ballot(2, "p2"), paxos.Ballot{}, false, "1", allOK, allOK)
	inv := newInvariants()
	for i, r := range s.records {
		if i == len(s.records)/2 {
			r.Seq += 10 // records were lost here
		}
		inv.apply(r)
	}
	if inv.violation != "" || inv.resets != 1 {
		t.Errorf("want the gap to reset the checker, have violation %q, %d resets", inv.violation, inv.resets)
	}
}

func TestLogPanel_ShowsRecordsAndResults(t *testing.T) {
	p := newLogPanel(DefaultStyles(), DefaultKeyMap())
	p.SetSize(100, 6)
	p.Update(traceBatchMsg{Records: demoRecords(), Dropped: 7})
	p.Update(resultMsg{Text: "incr k → 1"})
	v := ansi.Strip(p.View())
	for _, want := range []string{"» incr k → 1", "7 events not shown", "p2.0 #2 committed"} {
		if !strings.Contains(v, want) {
			t.Errorf("want %q in\n%s", want, v)
		}
	}
	p.Update(keyMsg("up"))
	p.Update(traceBatchMsg{Records: demoRecords()[:3]})
	if v := ansi.Strip(p.View()); !strings.Contains(v, "paused") || !strings.Contains(v, "p2.0 #2 committed") {
		t.Errorf("want a still view while scrolled back, have\n%s", v)
	}
}

func TestPrompt_CompletesAndRecalls(t *testing.T) {
	p := newPromptPanel(DefaultStyles(), DefaultKeyMap())
	p.SetSize(80, 1)
	p.words = completion{Nodes: []string{"a1", "a2"}}
	p.open("")
	for _, k := range []string{"k", "i", "tab", " ", "a", "2"} {
		p.Update(keyMsg(k))
	}
	if have := p.input.Value(); have != "kill a2" {
		t.Fatalf("want the completed line, have %q", have)
	}
	p.Update(keyMsg("enter"))
	if p.active {
		t.Error("want enter to close the prompt")
	}
	p.open("")
	p.Update(keyMsg("g"))
	p.Update(keyMsg("up"))
	if have := p.input.Value(); have != "kill a2" {
		t.Errorf("want ↑ to recall the last line, have %q", have)
	}
	p.Update(keyMsg("down"))
	if have := p.input.Value(); have != "g" {
		t.Errorf("want ↓ to bring back the draft, have %q", have)
	}
	p.Update(keyMsg("esc"))
	if p.active || p.View() != "" {
		t.Error("want esc to close the prompt")
	}
}

func TestSparkline_Scales(t *testing.T) {
	tests := map[string]struct {
		values []float64
		w      int
		want   string
	}{
		"empty":   {nil, 4, "    "},
		"zeros":   {[]float64{0, 0}, 3, " ▁▁"},
		"ramp":    {[]float64{0, 1, 2, 3, 4, 5, 6, 7}, 8, "▁▂▃▄▅▆▇█"},
		"cut old": {[]float64{9, 0, 7}, 2, "▁█"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if have := sparkline(tc.values, tc.w); have != tc.want {
				t.Errorf("want %q, have %q", tc.want, have)
			}
		})
	}
}

func TestRing_KeepsTheNewest(t *testing.T) {
	r := newRing[int](3)
	for i := range 5 {
		r.push(i)
	}
	var have []int
	for i := range r.len() {
		have = append(have, r.at(i))
	}
	if len(have) != 3 || have[0] != 2 || have[2] != 4 {
		t.Errorf("want [2 3 4], have %v", have)
	}
}

func TestDiagram_ShowsWhatLinksDid(t *testing.T) {
	p := newProtocolPanel(DefaultStyles(), DefaultKeyMap())
	p.SetSize(100, 40)
	s := newScript()
	s.emit(paxos.ChangeStarted{Meta: s.meta("p1", 1, "k", "incr k"), Ballot: ballot(1, "p1")})
	s.emit(cluster.LinkEvent{Proposer: "p1", Acceptor: "a2", Key: "k", Change: 1, Phase: paxos.PhasePrepare, What: "dropped reply"})
	s.emit(cluster.LinkEvent{Proposer: "p1", Acceptor: "a3", Key: "k", Change: 1, Phase: paxos.PhasePrepare, What: "held", Held: 4})
	p.Update(traceBatchMsg{Records: s.records})
	v := ansi.Strip(p.View())
	for _, want := range []string{"◀────────✗ dropped reply─────────┤", "held #4"} {
		if !strings.Contains(v, want) {
			t.Errorf("want %q in\n%s", want, v)
		}
	}
}
