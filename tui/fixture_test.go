package tui

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
	"go.uber.org/goleak"

	"github.com/gryadka/gryadka/paxos"
	"github.com/gryadka/gryadka/trace"
)

func TestMain(m *testing.M) {
	lipgloss.SetColorProfile(termenv.Ascii)
	os.Setenv("NO_COLOR", "1")
	// teatest waits for SIGINT in a goroutine that never ends.
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("github.com/charmbracelet/x/exp/teatest.NewTestModel.func2"))
}

// script builds deterministic trace records, as a proposer would emit them.
type script struct {
	seq     uint64
	records []trace.Record
	at      time.Time
}

func newScript() *script {
	return &script{at: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
}

func (s *script) emit(e paxos.Event) {
	s.seq++
	s.records = append(s.records, trace.Record{Seq: s.seq, Event: e})
}

func (s *script) meta(proposer string, id paxos.ChangeID, key, label string) paxos.Meta {
	s.at = s.at.Add(time.Millisecond)
	return paxos.Meta{At: s.at, Proposer: proposer + ".0", Change: id, Key: key, Label: label}
}

func ballot(n uint64, p string) paxos.Ballot { return paxos.Ballot{Counter: n, Proposer: p + ".0"} }

// round emits one full round of proposer on key. replies[acceptor] is "ok",
// "conflict", "timeout" or "" for no reply; prepare is skipped when oneRTT.
func (s *script) round(proposer string, id paxos.ChangeID, key, label string, b, seen paxos.Ballot, oneRTT bool,
	value string, prepare, accept map[string]string) {
	m := func() paxos.Meta { return s.meta(proposer, id, key, label) }
	s.emit(paxos.ChangeStarted{Meta: m(), Ballot: b, OneRTT: oneRTT, Batch: 1})
	acceptors := []string{"a1", "a2", "a3"}
	phase := func(ph paxos.Phase, replies map[string]string) bool {
		for i, a := range acceptors {
			s.emit(paxos.MessageSent{Meta: m(), Msg: paxos.MsgID(i + 1), Phase: ph, Acceptor: a, Ballot: b, Value: []byte(value)})
		}
		acks, nacks := 0, 0
		for i, a := range acceptors {
			r := paxos.ReplyReceived{Meta: m(), Msg: paxos.MsgID(i + 1), Phase: ph, Acceptor: a, Ballot: b,
				Latency: time.Duration(300+100*i) * time.Microsecond}
			switch replies[a] {
			case "ok":
				r.OK = true
				acks++
				if ph == paxos.PhasePrepare && !seen.IsZero() {
					r.Accepted, r.Value = seen, []byte("4")
				}
			case "conflict":
				r.Seen = ballot(b.Counter+5, "p2")
				nacks++
			case "timeout":
				r.Timeout, r.Err = true, "context deadline exceeded"
				nacks++
			default:
				continue
			}
			s.emit(r)
		}
		res := paxos.VoteWon
		if acks < 2 {
			res = paxos.VoteLost
		}
		s.emit(paxos.QuorumDecided{Meta: m(), Phase: ph, Result: res, Acks: acks, Nacks: nacks, Needed: 2})
		return res == paxos.VoteWon
	}
	fin := paxos.ChangeFinished{Ballot: b, RoundTrips: 1, Elapsed: 1200 * time.Microsecond}
	if !oneRTT {
		fin.RoundTrips = 2
		if !phase(paxos.PhasePrepare, prepare) {
			s.emit(paxos.BallotFastForwarded{Meta: m(), From: b, To: ballot(b.Counter+5, proposer)})
			fin.Meta, fin.Err = m(), "conflict"
			s.emit(fin)
			return
		}
	}
	if !phase(paxos.PhaseAccept, accept) {
		fin.Meta, fin.Err, fin.Indefinite = m(), "quorum not reached", true
		s.emit(fin)
		return
	}
	fin.Meta, fin.Committed, fin.Value = m(), true, []byte(value)
	s.emit(fin)
}

var allOK = map[string]string{"a1": "ok", "a2": "ok", "a3": "ok"}

// demoRecords is a small history: a 2RTT change, a 1RTT change, a
// conflict, a change left in doubt and the prepare that reveals it.
func demoRecords() []trace.Record {
	s := newScript()
	s.round("p1", 1, "k", "incr k", ballot(1, "p1"), paxos.Ballot{}, false, "1", allOK, allOK)
	s.round("p1", 2, "k", "incr k", ballot(2, "p1"), paxos.Ballot{}, true, "2", nil, allOK)
	s.round("p2", 1, "k", "set k 9", ballot(1, "p2"), ballot(2, "p1"), false, "9",
		map[string]string{"a1": "conflict", "a2": "conflict", "a3": "ok"}, nil)
	s.round("p1", 3, "j", "set j x", ballot(7, "p1"), paxos.Ballot{}, false, "x", allOK,
		map[string]string{"a1": "ok", "a2": "timeout", "a3": "timeout"})
	s.round("p2", 2, "j", "get j", ballot(8, "p2"), ballot(7, "p1"), false, "x", allOK, allOK)
	return s.records
}

// realRecords runs n increments of key on a real proposer over three
// MemAcceptors and returns what it traced.
func realRecords(t testing.TB, n int) []trace.Record {
	t.Helper()
	var col trace.Collector
	p, err := paxos.NewProposer(paxos.Options{ID: "p1", Incarnation: "0", OneRTT: true, Tracer: &col,
		Config: paxos.Majority(paxos.NewMemAcceptor("a1"), paxos.NewMemAcceptor("a2"), paxos.NewMemAcceptor("a3"))})
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		ctx := paxos.WithLabel(context.Background(), "incr k")
		if _, err := p.Change(ctx, "k", func([]byte) ([]byte, error) { return fmt.Appendf(nil, "%d", i+1), nil }); err != nil {
			t.Fatal(err)
		}
	}
	return col.Records()
}
