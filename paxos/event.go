package paxos

import (
	"context"
	"time"
)

// Tracer receives the proposer's events. The proposer checks Enabled before
// it builds an event, so an idle tracer costs one call per step.
// Trace is called from the proposer's goroutines and must not block; it
// owns the event and may keep it (the proposer copies byte slices).
type Tracer interface {
	Enabled() bool
	Trace(Event)
}

// Event is one traced step. Kind is a stable name such as "paxos.reply",
// used as the type tag when events are written as JSON.
type Event interface {
	Kind() string
}

// ChangeID numbers the rounds of one proposer; MsgID numbers its messages.
// A reply carries the MsgID of its request.
type (
	ChangeID uint64
	MsgID    uint64
)

// Meta is common to every proposer event.
type Meta struct {
	At       time.Time `json:"at"`
	Proposer string    `json:"proposer"`
	Change   ChangeID  `json:"change"`
	Key      string    `json:"key"`
	Label    string    `json:"label,omitempty"` // from WithLabel, e.g. "incr k"
}

// ChangeStarted opens a round. OneRTT means the round skips the prepare
// phase, using the promise its previous accept obtained. Batch counts the
// changes of one key that share this round.
type ChangeStarted struct {
	Meta
	Ballot Ballot `json:"ballot"`
	OneRTT bool   `json:"one_rtt"`
	Batch  int    `json:"batch"`
}

// MessageSent is a prepare or accept on its way to an acceptor. For an
// accept, Value is the proposed state and Next the promise it asks for.
type MessageSent struct {
	Meta
	Msg      MsgID  `json:"msg"`
	Phase    Phase  `json:"phase"`
	Acceptor string `json:"acceptor"`
	Ballot   Ballot `json:"ballot"`
	Next     Ballot `json:"next,omitzero"`
	Value    []byte `json:"value,omitempty"`
}

// ReplyReceived is an acceptor's answer, or its absence. OK is a promise or
// an acceptance; Seen is set on a conflict; Err on a failure, with Timeout
// when the acceptor did not answer in time. Accepted and Value describe a
// promise.
type ReplyReceived struct {
	Meta
	Msg      MsgID         `json:"msg"`
	Phase    Phase         `json:"phase"`
	Acceptor string        `json:"acceptor"`
	Ballot   Ballot        `json:"ballot"`
	OK       bool          `json:"ok"`
	Accepted Ballot        `json:"accepted,omitzero"`
	Value    []byte        `json:"value,omitempty"`
	Seen     Ballot        `json:"seen,omitzero"`
	Err      string        `json:"err,omitempty"`
	Timeout  bool          `json:"timeout,omitempty"`
	Latency  time.Duration `json:"latency"`
}

// QuorumDecided ends a phase: Result is VoteWon once Acks reached Needed,
// or VoteLost once too many acceptors refused or failed.
type QuorumDecided struct {
	Meta
	Phase  Phase      `json:"phase"`
	Result VoteResult `json:"result"`
	Acks   int        `json:"acks"`
	Nacks  int        `json:"nacks"`
	Needed int        `json:"needed"`
}

// BallotFastForwarded is emitted when a conflict moves the proposer's
// counter past a ballot seen at an acceptor.
type BallotFastForwarded struct {
	Meta
	From Ballot `json:"from"`
	To   Ballot `json:"to"`
}

// ChangeFinished closes a round. Committed rounds carry the new Value;
// failed ones Err, with Indefinite when the outcome is unknown.
type ChangeFinished struct {
	Meta
	Ballot     Ballot        `json:"ballot"`
	Committed  bool          `json:"committed"`
	Value      []byte        `json:"value,omitempty"`
	Err        string        `json:"err,omitempty"`
	Indefinite bool          `json:"indefinite,omitempty"`
	RoundTrips int           `json:"round_trips"`
	Elapsed    time.Duration `json:"elapsed"`
}

// Kind implements Event.
func (ChangeStarted) Kind() string { return "paxos.start" }

// Kind implements Event.
func (MessageSent) Kind() string { return "paxos.send" }

// Kind implements Event.
func (ReplyReceived) Kind() string { return "paxos.reply" }

// Kind implements Event.
func (QuorumDecided) Kind() string { return "paxos.quorum" }

// Kind implements Event.
func (BallotFastForwarded) Kind() string { return "paxos.forward" }

// Kind implements Event.
func (ChangeFinished) Kind() string { return "paxos.finish" }

// Message identifies one request of a round. The proposer attaches it to
// the context of each call to an Acceptor while tracing, so that layers
// between the proposer and the acceptor (links, fault injection) can report
// what they do to that message.
type Message struct {
	Meta
	Msg    MsgID
	Phase  Phase
	Ballot Ballot
}

type messageKey struct{}

// MessageFrom returns the message a context was made for, if any.
func MessageFrom(ctx context.Context) (Message, bool) {
	m, ok := ctx.Value(messageKey{}).(Message)
	return m, ok
}

type labelKey struct{}

// WithLabel returns a context whose changes are traced with label, such as
// the command that caused them.
func WithLabel(ctx context.Context, label string) context.Context {
	return context.WithValue(ctx, labelKey{}, label)
}

func labelOf(ctx context.Context) string {
	s, _ := ctx.Value(labelKey{}).(string)
	return s
}
