package trace

import (
	"time"

	"github.com/gryadka/gryadka/cluster"
	"github.com/gryadka/gryadka/gc"
	"github.com/gryadka/gryadka/paxos"
)

// at0 is the clock of the sample events.
var at0 = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func sampleMeta(proposer string, change paxos.ChangeID, label string) paxos.Meta {
	return paxos.Meta{At: at0.Add(time.Duration(change) * time.Millisecond), Proposer: proposer, Change: change,
		Key: "k", Label: label}
}

func ballot(n uint64, p string) paxos.Ballot { return paxos.Ballot{Counter: n, Proposer: p} }

// samples holds one event of every kind Decode knows, with every field set.
func samples() map[string]paxos.Event {
	m := sampleMeta("p1.0", 12, "set k 6")
	return map[string]paxos.Event{
		"paxos.start": paxos.ChangeStarted{Meta: m, Ballot: ballot(3, "p1.0"), OneRTT: true, Batch: 2},
		"paxos.send": paxos.MessageSent{Meta: m, Msg: 13, Phase: paxos.PhaseAccept, Acceptor: "a2",
			Ballot: ballot(3, "p1.0"), Next: ballot(4, "p1.0"), Value: []byte("6")},
		"paxos.reply": paxos.ReplyReceived{Meta: m, Msg: 13, Phase: paxos.PhasePrepare, Acceptor: "a2",
			Ballot: ballot(3, "p1.0"), OK: false, Accepted: ballot(2, "p2.0"), Value: []byte("5"),
			Seen: ballot(7, "p2.0"), Err: "refused", Timeout: true, Latency: 300 * time.Microsecond},
		"paxos.quorum": paxos.QuorumDecided{Meta: m, Phase: paxos.PhasePrepare, Result: paxos.VoteWon,
			Acks: 2, Nacks: 1, Needed: 2},
		"paxos.forward": paxos.BallotFastForwarded{Meta: m, From: ballot(3, "p1.0"), To: ballot(7, "p1.0")},
		"paxos.finish": paxos.ChangeFinished{Meta: m, Ballot: ballot(3, "p1.0"), Committed: true,
			Value: []byte("6"), Err: "x", Indefinite: true, RoundTrips: 2, Elapsed: 1200 * time.Microsecond},
		"cluster.node": cluster.NodeStateChanged{At: at0, Node: "a2", State: cluster.NodePaused},
		"cluster.link": cluster.LinkEvent{At: at0, Proposer: "p1", Acceptor: "a2", Key: "k", Change: 12, Msg: 13,
			Phase: paxos.PhaseAccept, Held: 4, What: "dropped reply"},
		"cluster.linkchange": cluster.LinkChanged{At: at0, Change: "partition p1 a2 (hang)", Step: true,
			Faults: []cluster.LinkFault{
				{Proposer: "p1", Acceptor: "a2", Kind: cluster.FaultPartition, Mode: cluster.Hang},
				{Proposer: cluster.Any, Acceptor: "a3", Kind: cluster.FaultDrop, RequestLoss: 0.25, ReplyLoss: 0.5},
				{Proposer: "p2", Acceptor: cluster.Any, Kind: cluster.FaultDelay, Delay: time.Millisecond, Jitter: time.Microsecond},
				{Proposer: "p2", Acceptor: "a1", Kind: cluster.FaultDuplicate, Probability: 0.1},
			}},
		"gc.step": gc.StepEvent{At: at0, Collector: "gc.0", Key: "k", Step: gc.StepFence, Tombstone: ballot(9, "gc.0"),
			OK: true, Skipped: "x", Err: "y", Nodes: []string{"a1", "a2"}, Ages: []gc.Age{{Proposer: "p1.0", Age: 2}}},
		"cluster.member": cluster.MembershipStep{At: at0, Op: "add a4", Step: 3, Steps: 4, Action: paxos.StepRescan,
			Name: "grow step 3: rescan", Phase: cluster.MemberStepProgress, Config: cluster.MajorityConfig("a1", "a2"),
			KeysDone: 120, KeysTotal: 500, Rate: 830, Err: "x"},
	}
}

// story is a hand-made run: p1 sets k to 1 in two round trips while a3
// times out, and p2, with a lower ballot, is refused, fast-forwards and
// fails.
func story() []Record {
	m1, m2 := sampleMeta("p1.0", 1, "set k 1"), sampleMeta("p2.0", 2, "incr k")
	b1, b2 := ballot(5, "p1.0"), ballot(1, "p2.0")
	prep := paxos.PhasePrepare
	acc := paxos.PhaseAccept
	events := []paxos.Event{
		paxos.ChangeStarted{Meta: m1, Ballot: b1},
		paxos.MessageSent{Meta: m1, Msg: 1, Phase: prep, Acceptor: "a1", Ballot: b1},
		paxos.MessageSent{Meta: m1, Msg: 2, Phase: prep, Acceptor: "a2", Ballot: b1},
		paxos.MessageSent{Meta: m1, Msg: 3, Phase: prep, Acceptor: "a3", Ballot: b1},
		paxos.ReplyReceived{Meta: m1, Msg: 1, Phase: prep, Acceptor: "a1", Ballot: b1, OK: true, Latency: 200 * time.Microsecond},
		paxos.ReplyReceived{Meta: m1, Msg: 2, Phase: prep, Acceptor: "a2", Ballot: b1, OK: true, Latency: 350 * time.Microsecond},
		paxos.QuorumDecided{Meta: m1, Phase: prep, Result: paxos.VoteWon, Acks: 2, Needed: 2},
		paxos.MessageSent{Meta: m1, Msg: 4, Phase: acc, Acceptor: "a1", Ballot: b1, Value: []byte("1")},
		paxos.MessageSent{Meta: m1, Msg: 5, Phase: acc, Acceptor: "a2", Ballot: b1, Value: []byte("1")},
		paxos.ChangeStarted{Meta: m2, Ballot: b2},
		paxos.MessageSent{Meta: m2, Msg: 6, Phase: prep, Acceptor: "a1", Ballot: b2},
		paxos.MessageSent{Meta: m2, Msg: 7, Phase: prep, Acceptor: "a2", Ballot: b2},
		paxos.ReplyReceived{Meta: m1, Msg: 4, Phase: acc, Acceptor: "a1", Ballot: b1, OK: true, Latency: 150 * time.Microsecond},
		paxos.ReplyReceived{Meta: m2, Msg: 6, Phase: prep, Acceptor: "a1", Ballot: b2, Seen: b1,
			Err: "paxos: prepare 1:p2.0 refused by a1: it has seen ballot 5:p1.0", Latency: 90 * time.Microsecond},
		paxos.ReplyReceived{Meta: m2, Msg: 7, Phase: prep, Acceptor: "a2", Ballot: b2, Seen: b1,
			Err: "paxos: prepare 1:p2.0 refused by a2: it has seen ballot 5:p1.0", Latency: 120 * time.Microsecond},
		paxos.ReplyReceived{Meta: m1, Msg: 5, Phase: acc, Acceptor: "a2", Ballot: b1, OK: true, Latency: 2 * time.Millisecond},
		paxos.QuorumDecided{Meta: m1, Phase: acc, Result: paxos.VoteWon, Acks: 2, Needed: 2},
		paxos.ChangeFinished{Meta: m1, Ballot: b1, Committed: true, Value: []byte("1"), RoundTrips: 2, Elapsed: 2600 * time.Microsecond},
		paxos.ReplyReceived{Meta: m1, Msg: 3, Phase: prep, Acceptor: "a3", Ballot: b1, Err: "context deadline exceeded",
			Timeout: true, Latency: 3 * time.Second},
		paxos.QuorumDecided{Meta: m2, Phase: prep, Result: paxos.VoteLost, Nacks: 2, Needed: 2},
		paxos.BallotFastForwarded{Meta: m2, From: b2, To: ballot(5, "p2.0")},
		paxos.ChangeFinished{Meta: m2, Ballot: b2, Err: "paxos: prepare 1:p2.0 refused by a2: it has seen ballot 5:p1.0",
			RoundTrips: 1, Elapsed: 400 * time.Microsecond},
	}
	out := make([]Record, len(events))
	for i, e := range events {
		out[i] = Record{Seq: uint64(i + 1), Event: e}
	}
	return out
}
