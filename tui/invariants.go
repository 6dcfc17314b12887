package tui

import (
	"fmt"

	"github.com/gryadka/gryadka/paxos"
	"github.com/gryadka/gryadka/trace"
)

// maxBallotsTracked bounds the memory of the invariant checker.
const maxBallotsTracked = 20000

type keyBallot struct {
	key    string
	ballot paxos.Ballot
}

// invariants checks the protocol's own rules on the live trace:
//   - at most one value is proposed per ballot and key;
//   - a prepare quorum sees the latest committed ballot of its key, so
//     every committed value derives from the one before it.
//
// A gap in the trace (lost records) resets what it knows, since a missed
// event could make a correct history look wrong.
type invariants struct {
	values    map[keyBallot]string
	order     *ring[keyBallot]
	committed map[string]paxos.Ballot    // key -> latest committed ballot
	atStart   map[changeKey]paxos.Ballot // committed ballot when a change started
	seen      map[changeKey]paxos.Ballot // highest accepted ballot in its promises
	lastSeq   uint64
	checked   uint64
	resets    int
	violation string // the first one found
}

func newInvariants() *invariants {
	inv := &invariants{order: newRing[keyBallot](maxBallotsTracked)}
	inv.reset()
	return inv
}

func (inv *invariants) reset() {
	inv.values = map[keyBallot]string{}
	inv.committed = map[string]paxos.Ballot{}
	inv.atStart = map[changeKey]paxos.Ballot{}
	inv.seen = map[changeKey]paxos.Ballot{}
	inv.order = newRing[keyBallot](maxBallotsTracked)
}

// apply checks one record.
func (inv *invariants) apply(r trace.Record) {
	if inv.lastSeq != 0 && r.Seq > inv.lastSeq+1 {
		inv.reset()
		inv.resets++
	}
	inv.lastSeq = max(inv.lastSeq, r.Seq)
	switch e := r.Event.(type) {
	case paxos.ChangeStarted:
		k := changeKey{e.Proposer, e.Change}
		if !e.OneRTT {
			inv.atStart[k] = inv.committed[e.Key]
			inv.seen[k] = paxos.Ballot{}
		}
	case paxos.MessageSent:
		if e.Phase == paxos.PhaseAccept {
			inv.proposed(e)
		}
	case paxos.ReplyReceived:
		k := changeKey{e.Proposer, e.Change}
		if b, ok := inv.seen[k]; ok && e.OK && e.Phase == paxos.PhasePrepare {
			inv.seen[k] = paxos.MaxBallot(b, e.Accepted)
		}
	case paxos.QuorumDecided:
		if e.Phase == paxos.PhasePrepare {
			inv.prepared(e)
		}
	case paxos.ChangeFinished:
		k := changeKey{e.Proposer, e.Change}
		delete(inv.atStart, k)
		delete(inv.seen, k)
		if e.Committed {
			inv.committed[e.Key] = paxos.MaxBallot(inv.committed[e.Key], e.Ballot)
		}
	}
}

func (inv *invariants) proposed(e paxos.MessageSent) {
	kb := keyBallot{e.Key, e.Ballot}
	v, ok := inv.values[kb]
	inv.checked++
	switch {
	case !ok:
		inv.values[kb] = string(e.Value)
		if old, dropped := inv.order.push(kb); dropped {
			delete(inv.values, old)
		}
	case v != string(e.Value) && inv.violation == "":
		inv.violation = fmt.Sprintf("two values under ballot %s of key %s: %s and %s",
			shortBallot(e.Ballot), e.Key, shortValue([]byte(v)), shortValue(e.Value))
	}
}

func (inv *invariants) prepared(e paxos.QuorumDecided) {
	k := changeKey{e.Proposer, e.Change}
	start, ok := inv.atStart[k]
	seen := inv.seen[k]
	delete(inv.atStart, k)
	delete(inv.seen, k)
	if !ok || e.Result != paxos.VoteWon {
		return
	}
	inv.checked++
	if seen.Less(start) && inv.violation == "" {
		inv.violation = fmt.Sprintf("change #%d of %s on key %s read ballot %s, older than the committed %s",
			e.Change, shortProposer(e.Proposer), e.Key, shortBallot(seen), shortBallot(start))
	}
}
