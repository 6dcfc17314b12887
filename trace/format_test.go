package trace

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/gryadka/gryadka/cluster"
	"github.com/gryadka/gryadka/paxos"
)

func TestFormat_Lines(t *testing.T) {
	m := sampleMeta("p1.0", 12, "set k 6")
	b := ballot(3, "p1.0")
	tests := map[string]struct {
		event paxos.Event
		want  string
	}{
		"start 2RTT": {paxos.ChangeStarted{Meta: m, Ballot: b, Batch: 1},
			"p1.0 #12 set k 6 ▸ start 3:p1.0 (2RTT)"},
		"start 1RTT batch": {paxos.ChangeStarted{Meta: m, Ballot: b, OneRTT: true, Batch: 3},
			"p1.0 #12 set k 6 ▸ start 3:p1.0 (1RTT, prepare skipped, batch of 3)"},
		"start without label": {paxos.ChangeStarted{Meta: sampleMeta("p1.0", 12, ""), Ballot: b},
			"p1.0 #12 key k ▸ start 3:p1.0 (2RTT)"},
		"prepare": {paxos.MessageSent{Meta: m, Phase: paxos.PhasePrepare, Acceptor: "a2", Ballot: b},
			"p1.0 #12 set k 6 ▸ prepare 3:p1.0 → a2"},
		"accept with next": {paxos.MessageSent{Meta: m, Phase: paxos.PhaseAccept, Acceptor: "a2", Ballot: b,
			Next: ballot(4, "p1.0"), Value: []byte("6")},
			`p1.0 #12 set k 6 ▸ accept 3:p1.0 value="6" next=4:p1.0 → a2`},
		"accept of no value": {paxos.MessageSent{Meta: m, Phase: paxos.PhaseAccept, Acceptor: "a2", Ballot: b},
			`p1.0 #12 set k 6 ▸ accept 3:p1.0 value=nil → a2`},
		"empty promise": {paxos.ReplyReceived{Meta: m, Phase: paxos.PhasePrepare, Acceptor: "a2", Ballot: b, OK: true,
			Latency: 300 * time.Microsecond},
			"a2 → p1.0 #12 promise, nothing accepted (0.3ms)"},
		"promise": {paxos.ReplyReceived{Meta: m, Phase: paxos.PhasePrepare, Acceptor: "a2", Ballot: b, OK: true,
			Accepted: ballot(2, "p2.0"), Value: []byte("5"), Latency: 45 * time.Microsecond},
			`a2 → p1.0 #12 promise accepted=2:p2.0 value="5" (45µs)`},
		"accepted": {paxos.ReplyReceived{Meta: m, Phase: paxos.PhaseAccept, Acceptor: "a2", Ballot: b, OK: true,
			Latency: 12 * time.Millisecond},
			"a2 → p1.0 #12 accepted 3:p1.0 (12ms)"},
		"conflict": {paxos.ReplyReceived{Meta: m, Phase: paxos.PhaseAccept, Acceptor: "a2", Ballot: b,
			Seen: ballot(9, "p2.0"), Err: "refused", Latency: time.Millisecond},
			"a2 → p1.0 #12 conflict: accept 3:p1.0 refused, seen 9:p2.0 (1.0ms)"},
		"timeout": {paxos.ReplyReceived{Meta: m, Phase: paxos.PhasePrepare, Acceptor: "a3", Ballot: b,
			Err: "context deadline exceeded", Timeout: true, Latency: 3 * time.Second},
			"a3 ✗ p1.0 #12 prepare 3:p1.0 timed out (3.00s)"},
		"error": {paxos.ReplyReceived{Meta: m, Phase: paxos.PhasePrepare, Acceptor: "a3", Ballot: b,
			Err: "connection refused", Latency: 80 * time.Microsecond},
			"a3 ✗ p1.0 #12 prepare 3:p1.0 failed: connection refused (80µs)"},
		"quorum won": {paxos.QuorumDecided{Meta: m, Phase: paxos.PhasePrepare, Result: paxos.VoteWon, Acks: 2, Needed: 2},
			"p1.0 #12 prepare quorum won: 2 yes, 0 no, 2 needed"},
		"quorum lost": {paxos.QuorumDecided{Meta: m, Phase: paxos.PhaseAccept, Result: paxos.VoteLost, Acks: 1, Nacks: 2, Needed: 2},
			"p1.0 #12 accept quorum lost: 1 yes, 2 no, 2 needed"},
		"fast-forward": {paxos.BallotFastForwarded{Meta: m, From: b, To: ballot(9, "p1.0")},
			"p1.0 #12 fast-forward 3:p1.0 → 9:p1.0"},
		"committed": {paxos.ChangeFinished{Meta: m, Ballot: b, Committed: true, Value: []byte("6"), RoundTrips: 2,
			Elapsed: 1234 * time.Microsecond},
			`p1.0 #12 committed "6" in 2 RTT (1.2ms)`},
		"failed indefinite": {paxos.ChangeFinished{Meta: m, Ballot: b, Err: "paxos: quorum not reached", Indefinite: true,
			RoundTrips: 2, Elapsed: 3 * time.Second},
			"p1.0 #12 failed (outcome unknown): paxos: quorum not reached (3.00s)"},
		"failed definite": {paxos.ChangeFinished{Meta: m, Ballot: b, Err: "paxos: quorum not reached", RoundTrips: 1,
			Elapsed: 250 * time.Millisecond},
			"p1.0 #12 failed (nothing changed): paxos: quorum not reached (250ms)"},
		"long value": {paxos.ChangeFinished{Meta: m, Committed: true, Value: []byte(strings.Repeat("é", 20)), RoundTrips: 1},
			`p1.0 #12 committed "éééééééééééééééé"…(40 bytes) in 1 RTT (0µs)`},
		"odd key": {paxos.ChangeStarted{Meta: paxos.Meta{Proposer: "p1.0", Change: 1, Key: "a b"}, Ballot: b},
			`p1.0 #1 key "a b" ▸ start 3:p1.0 (2RTT)`},
		"unknown kind": {otherEvent{N: 7}, "test.other {N:7}"},
		"node":         {cluster.NodeStateChanged{Node: "a2", State: cluster.NodeDown}, "a2 is down"},
		"link held": {cluster.LinkEvent{Proposer: "p1", Acceptor: "a2", Change: 12, Phase: paxos.PhaseAccept, Held: 4,
			What: "held"}, "link p1–a2 #12 accept: held (queued #4)"},
		"link untraced": {cluster.LinkEvent{Proposer: "p1", Acceptor: "a2", What: "dropped request"},
			"link p1–a2: dropped request"},
		"links changed": {cluster.LinkChanged{Change: "heal all"}, "links: heal all (faults: 0, step mode off)"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			if have := Format(Record{Seq: 1, Event: tt.event}); have != tt.want {
				t.Errorf("want %q, have %q", tt.want, have)
			}
		})
	}
}

// otherEvent is a kind that this package does not know.
type otherEvent struct{ N int }

func (otherEvent) Kind() string { return "test.other" }

func TestFormatter_NoLatencyOmitsTimes(t *testing.T) {
	f := Formatter{NoLatency: true}
	cut := 0
	for _, r := range story() {
		have, full := f.Format(r), Format(r)
		if have == full {
			continue
		}
		cut++
		if !strings.HasPrefix(full, have+" (") || !strings.HasSuffix(full, ")") {
			t.Errorf("want %q without its latency, have %q", full, have)
		}
	}
	if want := 9; cut != want {
		t.Errorf("want %d lines with a latency left out, have %d", want, cut)
	}
}

func TestFormatter_Sequence(t *testing.T) {
	tests := map[string]Formatter{"latency": {}, "no_latency": {NoLatency: true}}
	for name, f := range tests {
		t.Run(name, func(t *testing.T) {
			golden.RequireEqual(t, []byte(f.Sequence(story())))
		})
	}
}

func TestFormatter_SequenceOfFaults(t *testing.T) {
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
	records := make([]Record, len(events))
	for i, e := range events {
		records[i] = Record{Seq: uint64(i + 1), Event: e}
	}
	golden.RequireEqual(t, []byte(Formatter{NoLatency: true}.Sequence(records)))
}

func TestSequence_KeepsIncarnationsWhenIDsCollide(t *testing.T) {
	records := []Record{
		{Seq: 1, Event: paxos.ChangeStarted{Meta: sampleMeta("p1.aa", 1, ""), Ballot: ballot(1, "p1.aa")}},
		{Seq: 2, Event: paxos.ChangeStarted{Meta: sampleMeta("p1.bb", 1, ""), Ballot: ballot(1, "p1.bb")}},
	}
	header, _, _ := strings.Cut(Sequence(records), "\n")
	if want := []string{"p1.aa", "p1.bb"}; strings.Join(strings.Fields(header), " ") != strings.Join(want, " ") {
		t.Errorf("want columns %v, have %q", want, header)
	}
}

func TestSequence_Empty(t *testing.T) {
	if want, have := "", Sequence(nil); have != want {
		t.Errorf("want %q, have %q", want, have)
	}
}

func TestDuration_Rounding(t *testing.T) {
	tests := map[string]struct {
		d    time.Duration
		want string
	}{
		"micro":  {45 * time.Microsecond, "45µs"},
		"sub ms": {340 * time.Microsecond, "0.3ms"},
		"ms":     {9960 * time.Microsecond, "10.0ms"},
		"tens":   {123456 * time.Microsecond, "123ms"},
		"secs":   {1250 * time.Millisecond, "1.25s"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			if have := Duration(tt.d); have != tt.want {
				t.Errorf("want %q, have %q", tt.want, have)
			}
		})
	}
}
