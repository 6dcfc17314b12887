package demos

import (
	"fmt"

	"github.com/gryadka/gryadka/paxos"
)

// Script is a parsed demo: a name, a title, a summary and its steps.
type Script struct {
	// File names the script in error messages, "first_change.demo".
	File    string
	Name    string
	Title   string
	Summary string
	Steps   []Step
}

// Step is one stage of a demo, paced by the learner in the dashboard.
type Step struct {
	Title string
	Line  int
	Stmts []Stmt
}

// Kind is the kind of a statement.
type Kind uint8

// The statements a step can hold; doc.go explains each.
const (
	KindSay Kind = iota + 1
	KindDo
	KindStart
	KindWait
	KindHold
	KindRelease
	KindDeliver
	KindDrop
	KindExpect
	KindAsk
	KindQuorum
)

var kindNames = [...]string{KindSay: "say", KindDo: "do", KindStart: "start", KindWait: "wait", KindHold: "hold",
	KindRelease: "release", KindDeliver: "deliver", KindDrop: "drop", KindExpect: "expect", KindAsk: "ask",
	KindQuorum: "quorum"}

// String returns the statement's keyword, "do".
func (k Kind) String() string {
	if k > 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// Stmt is one statement of a step. Only the fields of its kind are set.
type Stmt struct {
	Kind Kind
	Line int
	// Text is the narration of say, the command line of do and start, and
	// the question of ask.
	Text string
	// Proposer runs a do or start line ("p2" in  do p2: set k 2); empty
	// keeps the proposer of the line before.
	Proposer string
	// Pattern selects the held messages of hold, release, deliver, drop.
	Pattern Pattern
	// Check is the checkpoint of expect.
	Check Check
	// Answer is the answer of ask: "yes" or "no".
	Answer string
	// Prepare and Accept are the quorum sizes of quorum; Unsafe allows
	// quorums that do not intersect.
	Prepare, Accept int
	Unsafe          bool
}

// Pattern selects messages held in step mode. Empty fields match all.
type Pattern struct {
	Phase    paxos.Phase // 0: both phases
	Replies  bool        // replies, else requests
	Acceptor string
	Proposer string
}

// String returns the pattern as a script writes it, "accept replies from a2".
func (p Pattern) String() string {
	s := "all"
	if p.Phase != 0 {
		s = p.Phase.String()
	}
	switch {
	case p.Replies && p.Acceptor != "":
		s += " replies from " + p.Acceptor
	case p.Replies:
		s += " replies"
	case p.Acceptor != "":
		s += " to " + p.Acceptor
	}
	if p.Proposer != "" {
		s += " by " + p.Proposer
	}
	return s
}

// CheckKind is the kind of a checkpoint.
type CheckKind uint8

// The checkpoints of expect; doc.go explains each.
const (
	CheckValue CheckKind = iota + 1
	CheckNode
	CheckLastChange
	CheckRoundTrips
	CheckTrace
	CheckOutput
	CheckChecker
)

// Check is a checkpoint: what the learner should now see.
type Check struct {
	Kind CheckKind
	// Subject is the key of value and the node of node.
	Subject string
	// Want is what the checkpoint expects, in the script's words: a value,
	// a node state, ok|failed|unknown, a number, a text to find, or
	// linearizable|violation.
	Want string
}

// String returns the checkpoint as a script writes it.
func (c Check) String() string {
	switch c.Kind {
	case CheckValue:
		return fmt.Sprintf("value %s = %s", c.Subject, c.Want)
	case CheckNode:
		return fmt.Sprintf("node %s %s", c.Subject, c.Want)
	case CheckLastChange:
		return "last change " + c.Want
	case CheckRoundTrips:
		return "round trips " + c.Want
	case CheckTrace:
		return fmt.Sprintf("trace contains %q", c.Want)
	case CheckOutput:
		return fmt.Sprintf("output contains %q", c.Want)
	case CheckChecker:
		return "checker " + c.Want
	}
	return fmt.Sprintf("CheckKind(%d)", uint8(c.Kind))
}
