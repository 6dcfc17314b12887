package trace

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/gryadka/gryadka/cluster"
	"github.com/gryadka/gryadka/paxos"
)

// faultStory is a one-round-trip change of p1 on a faulty cluster: a3 is
// down and the link to a2 loses replies, so the accept is lost in doubt.
func faultStory() []Record {
	m := sampleMeta("p1.0", 3, "incr k")
	b := ballot(7, "p1.0")
	acc := paxos.PhaseAccept
	events := []paxos.Event{
		cluster.LinkChanged{Change: "oneway p1 a2", Faults: []cluster.LinkFault{{Proposer: "p1", Acceptor: "a2",
			Kind: cluster.FaultOneWay}}},
		cluster.NodeStateChanged{Node: "a3", State: cluster.NodeDown},
		paxos.ChangeStarted{Meta: m, Ballot: b, OneRTT: true, Batch: 1},
		paxos.MessageSent{Meta: m, Msg: 1, Phase: acc, Acceptor: "a1", Ballot: b, Value: []byte("8"), Next: ballot(8, "p1.0")},
		paxos.MessageSent{Meta: m, Msg: 2, Phase: acc, Acceptor: "a2", Ballot: b, Value: []byte("8"), Next: ballot(8, "p1.0")},
		paxos.MessageSent{Meta: m, Msg: 3, Phase: acc, Acceptor: "a3", Ballot: b, Value: []byte("8"), Next: ballot(8, "p1.0")},
		paxos.ReplyReceived{Meta: m, Msg: 1, Phase: acc, Acceptor: "a1", Ballot: b, OK: true},
		paxos.ReplyReceived{Meta: m, Msg: 3, Phase: acc, Acceptor: "a3", Ballot: b, Err: "connection refused"},
		cluster.LinkEvent{Proposer: "p1", Acceptor: "a2", Key: "k", Change: 3, Msg: 2, Phase: acc, What: "dropped reply"},
		paxos.ReplyReceived{Meta: m, Msg: 2, Phase: acc, Acceptor: "a2", Ballot: b, Err: "context deadline exceeded", Timeout: true},
		paxos.QuorumDecided{Meta: m, Phase: acc, Result: paxos.VoteLost, Acks: 1, Nacks: 2, Needed: 2},
		paxos.ChangeFinished{Meta: m, Ballot: b, Err: "paxos: quorum not reached: 1 of 3 accept replies, 2 needed",
			Indefinite: true, RoundTrips: 1},
	}
	return records(events...)
}

func records(events ...paxos.Event) []Record {
	out := make([]Record, len(events))
	for i, e := range events {
		out[i] = Record{Seq: uint64(i + 1), Event: e}
	}
	return out
}

func TestFormatter_Mermaid(t *testing.T) {
	tests := map[string]struct {
		f       Formatter
		records []Record
	}{
		"story":            {f: Formatter{}, records: story()},
		"story_no_latency": {f: Formatter{NoLatency: true}, records: story()},
		"faults":           {f: Formatter{NoLatency: true}, records: faultStory()},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			golden.RequireEqual(t, []byte(tc.f.Mermaid(tc.records)))
		})
	}
}

func TestMermaid_EscapesSyntax(t *testing.T) {
	m := sampleMeta("p1.0", 1, "set k <a>;#1&b\nc 5%%")
	rs := records(
		paxos.ChangeStarted{Meta: m, Ballot: ballot(1, "p1.0")},
		paxos.MessageSent{Meta: m, Msg: 1, Phase: paxos.PhaseAccept, Acceptor: "end", Ballot: ballot(1, "p1.0"),
			Value: []byte("x;y")},
	)
	have := Formatter{NoLatency: true}.Mermaid(rs)
	want := "sequenceDiagram\n" +
		"    participant p1\n" +
		"    participant x2 as end\n" +
		"    Note over p1: change 1: set k #lt;a#gt;#59;#35;1#amp;b c 5#37;#37;, start 1:p1.0 (2RTT)\n" +
		"    p1->>x2: accept 1:p1.0 value=\"x#59;y\"\n"
	if have != want {
		t.Errorf("want\n%s\nhave\n%s", want, have)
	}
}

func TestMermaid_NotesWithoutParticipants(t *testing.T) {
	rs := records(cluster.LinkChanged{Change: "heal all"})
	want := "sequenceDiagram\n    participant cluster\n    Note over cluster: links: heal all (faults: 0, step mode off)\n"
	if have := Mermaid(rs); have != want {
		t.Errorf("want %q, have %q", want, have)
	}
	if want, have := "sequenceDiagram\n", Mermaid(nil); have != want {
		t.Errorf("want %q, have %q", want, have)
	}
}

func TestMermaid_EveryLineIsAStatement(t *testing.T) {
	out := Mermaid(append(story(), faultStory()...))
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if lines[0] != "sequenceDiagram" {
		t.Fatalf("want the diagram to start with sequenceDiagram, have %q", lines[0])
	}
	for _, l := range lines[1:] {
		body := strings.TrimPrefix(l, "    ")
		ok := strings.HasPrefix(body, "participant ") || strings.HasPrefix(body, "Note over ") ||
			strings.Contains(body, "->>") || strings.Contains(body, "-->>") || strings.Contains(body, "--x") ||
			strings.Contains(body, "--)")
		_, text, _ := strings.Cut(body, ": ")
		if !ok || body == l || strings.ContainsAny(entityCode.ReplaceAllString(text, ""), "#;<>&%") {
			t.Errorf("not a well-formed statement: %q", l)
		}
	}
}

// entityCode is one of Mermaid's escapes, as #59;.
var entityCode = regexp.MustCompile(`#[a-z0-9]+;`)

func TestParseChangeRef_Forms(t *testing.T) {
	tests := map[string]struct {
		in   string
		want ChangeRef
		err  bool
	}{
		"number":      {in: "12", want: ChangeRef{Change: 12}},
		"hash":        {in: "#12", want: ChangeRef{Change: 12}},
		"proposer":    {in: "p1#12", want: ChangeRef{Proposer: "p1", Change: 12}},
		"incarnation": {in: "p1.0#3", want: ChangeRef{Proposer: "p1.0", Change: 3}},
		"zero":        {in: "0", err: true},
		"word":        {in: "p1", err: true},
		"empty":       {in: "", err: true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			have, err := ParseChangeRef(tc.in)
			if tc.err {
				if !errors.Is(err, ErrNoChange) {
					t.Errorf("want ErrNoChange, have %v", err)
				}
				return
			}
			if err != nil || have != tc.want {
				t.Errorf("want %+v, have %+v (%v)", tc.want, have, err)
			}
		})
	}
}

func TestSelectChange_KeepsTheChangeAndItsFaults(t *testing.T) {
	other := sampleMeta("p2.0", 3, "get k")
	rs := append(faultStory(), records(
		paxos.ChangeStarted{Meta: other, Ballot: ballot(9, "p2.0")},
		cluster.NodeStateChanged{At: at0.Add(time.Second), Node: "a3", State: cluster.NodeUp})...)
	have, err := SelectChange(rs, ChangeRef{Proposer: "p1", Change: 3})
	if err != nil {
		t.Fatal(err)
	}
	// The leading LinkChanged and NodeStateChanged came before the change.
	if want := len(faultStory()) - 2; len(have) != want {
		t.Errorf("want %d records, have %d:\n%s", want, len(have), Sequence(have))
	}
	for _, r := range have {
		if m, ok := MetaOf(r.Event); ok && m.Proposer != "p1.0" {
			t.Errorf("want only p1.0's records, have %s", Format(r))
		}
	}
}

func TestSelectChange_Errors(t *testing.T) {
	rs := append(story(), records(paxos.ChangeStarted{Meta: sampleMeta("p2.0", 1, ""), Ballot: ballot(9, "p2.0")})...)
	tests := map[string]struct {
		ref  ChangeRef
		want string
	}{
		"missing":   {ref: ChangeRef{Change: 99}, want: "change #99 is not in the 23 records"},
		"ambiguous": {ref: ChangeRef{Change: 1}, want: "change 1 was made by p1.0 and p2.0; name one, as p1#1"},
		"proposer":  {ref: ChangeRef{Proposer: "p3", Change: 1}, want: "change p3#1 is not in"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := SelectChange(rs, tc.ref)
			if !errors.Is(err, ErrNoChange) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("want an ErrNoChange saying %q, have %v", tc.want, err)
			}
		})
	}
}
