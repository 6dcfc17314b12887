package cluster

import (
	"time"

	"github.com/gryadka/gryadka/paxos"
)

// LinkEvent tells what a link did to one message: a fault applied to it
// ("dropped request", "dropped reply", "duplicated", "delayed 12ms",
// "blocked by partition", "hung by partition"), or a step of step mode
// ("held", "delivered", "released", "dropped request", "dropped reply",
// "caller gave up while held"). Change and Msg are those of the proposer's
// trace (paxos.MessageSent), zero when the proposer is not tracing; Held is
// the ID of the message in the step queue, zero outside step mode.
type LinkEvent struct {
	At       time.Time      `json:"at"`
	Proposer string         `json:"proposer"`
	Acceptor string         `json:"acceptor"`
	Key      string         `json:"key"`
	Change   paxos.ChangeID `json:"change,omitempty"`
	Msg      paxos.MsgID    `json:"msg,omitempty"`
	Phase    paxos.Phase    `json:"phase"`
	Held     uint64         `json:"held,omitempty"`
	What     string         `json:"what"`
}

// Kind implements paxos.Event.
func (LinkEvent) Kind() string { return "cluster.link" }

// LinkChanged tells that the fault configuration or step mode changed.
// Change describes what was done ("partition p1 a2 (fail fast)", "heal all",
// "step on"); Faults is the whole configuration afterwards.
type LinkChanged struct {
	At     time.Time   `json:"at"`
	Change string      `json:"change"`
	Faults []LinkFault `json:"faults"`
	Step   bool        `json:"step"`
}

// Kind implements paxos.Event.
func (LinkChanged) Kind() string { return "cluster.linkchange" }

func (n *Network) tracing() bool { return n.tracer != nil && n.tracer.Enabled() }

// traceMsg reports what happened to message m.
func (n *Network) traceMsg(m *linkMsg, what string, held uint64) {
	if !n.tracing() {
		return
	}
	n.tracer.Trace(LinkEvent{At: n.now(), Proposer: m.proposer, Acceptor: m.acceptor, Key: m.key,
		Change: m.change, Msg: m.msg, Phase: m.phase, Held: held, What: what})
}

// traceChange reports a change of the configuration.
func (n *Network) traceChange(ev LinkChanged) {
	if !n.tracing() {
		return
	}
	ev.At = n.now()
	n.tracer.Trace(ev)
}
