package tui

import (
	"slices"
	"time"

	"github.com/gryadka/gryadka/cluster"
	"github.com/gryadka/gryadka/paxos"
	"github.com/gryadka/gryadka/trace"
)

// recordedBackend is the backend a replay shows for its nodes.
const recordedBackend = "recorded"

// replayState is what a recording tells of the cluster up to a position:
// the nodes and proposers it names, the nodes' states and the link faults,
// and for each proposer the acceptors it sent each phase to and the
// quorums its votes needed.
// A replay has no cluster to poll, so its cluster panel shows this.
type replayState struct {
	nodes     map[string]string // acceptor → state
	proposers map[string]*ProposerStatus
	running   map[string]map[paxos.ChangeID]bool // proposer → changes started, not finished
	faults    []string
	step      bool
}

func newReplayState() *replayState {
	return &replayState{nodes: map[string]string{}, proposers: map[string]*ProposerStatus{},
		running: map[string]map[paxos.ChangeID]bool{}}
}

// apply takes one record into the state.
func (s *replayState) apply(r trace.Record) {
	switch e := r.Event.(type) {
	case paxos.ChangeStarted:
		p := s.proposer(e.Proposer)
		p.Counter, p.OneRTT = max(p.Counter, e.Ballot.Counter), e.OneRTT
		s.running[e.Proposer][e.Change] = true
		p.InFlight = len(s.running[e.Proposer])
	case paxos.MessageSent:
		s.node(e.Acceptor)
		p := s.proposer(e.Proposer)
		set := &p.Accept
		if e.Phase == paxos.PhasePrepare {
			set = &p.Prepare
		}
		if !slices.Contains(*set, e.Acceptor) {
			*set = append(*set, e.Acceptor)
			slices.Sort(*set)
		}
	case paxos.QuorumDecided:
		p := s.proposer(e.Proposer)
		if e.Phase == paxos.PhasePrepare {
			p.PrepareQuorum = e.Needed
		} else {
			p.AcceptQuorum = e.Needed
		}
	case paxos.ReplyReceived:
		s.node(e.Acceptor)
		s.proposer(e.Proposer)
	case paxos.BallotFastForwarded:
		p := s.proposer(e.Proposer)
		p.Counter = max(p.Counter, e.To.Counter)
	case paxos.ChangeFinished:
		p := s.proposer(e.Proposer)
		delete(s.running[e.Proposer], e.Change)
		p.InFlight = len(s.running[e.Proposer])
	case cluster.NodeStateChanged:
		s.node(e.Node)
		s.nodes[e.Node] = e.State.String()
	case cluster.LinkEvent:
		s.node(e.Acceptor)
	case cluster.LinkChanged:
		s.faults = s.faults[:0]
		for _, f := range e.Faults {
			s.faults = append(s.faults, f.String())
		}
		s.step = e.Step
	}
}

// node notes an acceptor, up unless a record said otherwise.
func (s *replayState) node(name string) {
	if _, ok := s.nodes[name]; !ok && name != "" {
		s.nodes[name] = "up"
	}
}

// proposer returns the info of a proposer ID, noting it if new.
func (s *replayState) proposer(id string) *ProposerStatus {
	p := s.proposers[id]
	if p == nil {
		p = &ProposerStatus{ID: shortProposer(id)}
		s.proposers[id] = p
		s.running[id] = map[paxos.ChangeID]bool{}
	}
	return p
}

// snapshot is the state as the cluster panel takes it.
func (s *replayState) snapshot() snapshotMsg {
	msg := snapshotMsg{Faults: slices.Clone(s.faults), Step: s.step}
	names := make([]string, 0, len(s.nodes))
	for n := range s.nodes {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		msg.Nodes = append(msg.Nodes, NodeInfo{Name: n, Backend: recordedBackend, State: s.nodes[n]})
	}
	ids := make([]string, 0, len(s.proposers))
	for id := range s.proposers {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		p := *s.proposers[id]
		p.Prepare, p.Accept = slices.Clone(p.Prepare), slices.Clone(p.Accept)
		msg.Proposers = append(msg.Proposers, p)
	}
	return msg
}

// eventTime is when a record's event happened, or the zero time if the
// event does not say.
func eventTime(r trace.Record) time.Time {
	switch e := r.Event.(type) {
	case paxos.ChangeStarted:
		return e.At
	case paxos.MessageSent:
		return e.At
	case paxos.ReplyReceived:
		return e.At
	case paxos.QuorumDecided:
		return e.At
	case paxos.BallotFastForwarded:
		return e.At
	case paxos.ChangeFinished:
		return e.At
	case cluster.NodeStateChanged:
		return e.At
	case cluster.LinkEvent:
		return e.At
	case cluster.LinkChanged:
		return e.At
	}
	return time.Time{}
}
