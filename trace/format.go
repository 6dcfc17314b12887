package trace

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gryadka/gryadka/cluster"
	"github.com/gryadka/gryadka/gc"
	"github.com/gryadka/gryadka/paxos"
)

// Formatter turns records into text for people: one line per record
// (Format), or a message sequence chart (Sequence). The zero Formatter
// shows latencies.
type Formatter struct {
	// NoLatency leaves out latencies and elapsed times, so that the text of
	// a run depends only on what happened: use it for golden transcripts.
	NoLatency bool
}

// Format returns the line of r with latencies, as the log panel shows it.
func Format(r Record) string { return Formatter{}.Format(r) }

// Format returns one stable, readable line describing r, such as
//
//	p1.0 #12 set k ▸ prepare 3:p1.0 → a2
//	a2 → p1.0 #12 promise accepted=2:p2.0 value="5" (0.3ms)
//	p1.0 #12 prepare quorum won: 2 yes, 0 no, 2 needed
//	p1.0 #12 committed "6" in 2 RTT (1.2ms)
//
// A proposer event starts with the proposer and the change number; a reply
// starts with the acceptor, then → (an answer) or ✗ (no answer).
func (f Formatter) Format(r Record) string {
	switch e := r.Event.(type) {
	case paxos.ChangeStarted:
		return who(e.Meta) + " " + subject(e.Meta) + " ▸ " + f.startText(e)
	case paxos.MessageSent:
		return who(e.Meta) + " " + subject(e.Meta) + " ▸ " + sendText(e) + " → " + e.Acceptor
	case paxos.ReplyReceived:
		arrow := " → "
		if !answered(e) {
			arrow = " ✗ "
		}
		return e.Acceptor + arrow + who(e.Meta) + " " + f.replyText(e)
	case paxos.QuorumDecided:
		return who(e.Meta) + " " + quorumText(e)
	case paxos.BallotFastForwarded:
		return who(e.Meta) + " " + forwardText(e)
	case paxos.ChangeFinished:
		return who(e.Meta) + " " + f.finishText(e)
	case cluster.NodeStateChanged:
		return e.Node + " " + nodeText(e)
	case cluster.LinkEvent:
		return linkText(e)
	case cluster.LinkChanged:
		return linkChangedText(e)
	case gc.StepEvent:
		return e.Text()
	case cluster.MembershipStep:
		return e.Text()
	case nil:
		return "(no event)"
	}
	return fmt.Sprintf("%s %+v", r.Event.Kind(), r.Event)
}

func who(m paxos.Meta) string { return fmt.Sprintf("%s #%d", m.Proposer, m.Change) }

// subject is what a change is about: its label, or else its key.
func subject(m paxos.Meta) string {
	if m.Label != "" {
		return m.Label
	}
	return "key " + quoteIfNeeded(m.Key)
}

func (f Formatter) startText(e paxos.ChangeStarted) string {
	mode := "2RTT"
	if e.OneRTT {
		mode = "1RTT, prepare skipped"
	}
	if e.Batch > 1 {
		mode += fmt.Sprintf(", batch of %d", e.Batch)
	}
	return fmt.Sprintf("start %s (%s)", e.Ballot, mode)
}

func sendText(e paxos.MessageSent) string {
	s := e.Phase.String() + " " + e.Ballot.String()
	if e.Phase == paxos.PhaseAccept {
		s += " value=" + value(e.Value)
		if !e.Next.IsZero() {
			s += " next=" + e.Next.String()
		}
	}
	return s
}

// answered reports whether the acceptor answered, even with a refusal.
func answered(e paxos.ReplyReceived) bool { return e.OK || !e.Seen.IsZero() }

func (f Formatter) replyText(e paxos.ReplyReceived) string {
	var s string
	switch {
	case e.OK && e.Phase == paxos.PhasePrepare && e.Accepted.IsZero():
		s = "promise, nothing accepted"
	case e.OK && e.Phase == paxos.PhasePrepare:
		s = "promise accepted=" + e.Accepted.String() + " value=" + value(e.Value)
	case e.OK:
		s = "accepted " + e.Ballot.String()
	case !e.Seen.IsZero():
		s = fmt.Sprintf("conflict: %s %s refused, seen %s", e.Phase, e.Ballot, e.Seen)
	case e.Timeout:
		s = fmt.Sprintf("%s %s timed out", e.Phase, e.Ballot)
	default:
		s = fmt.Sprintf("%s %s failed: %s", e.Phase, e.Ballot, e.Err)
	}
	return s + f.latency(e.Latency)
}

func quorumText(e paxos.QuorumDecided) string {
	return fmt.Sprintf("%s quorum %s: %d yes, %d no, %d needed", e.Phase, e.Result, e.Acks, e.Nacks, e.Needed)
}

func forwardText(e paxos.BallotFastForwarded) string {
	return fmt.Sprintf("fast-forward %s → %s", e.From, e.To)
}

func (f Formatter) finishText(e paxos.ChangeFinished) string {
	if e.Committed {
		return fmt.Sprintf("committed %s in %d RTT%s", value(e.Value), e.RoundTrips, f.latency(e.Elapsed))
	}
	outcome := "nothing changed"
	if e.Indefinite {
		outcome = "outcome unknown"
	}
	return fmt.Sprintf("failed (%s): %s%s", outcome, e.Err, f.latency(e.Elapsed))
}

func nodeText(e cluster.NodeStateChanged) string { return "is " + e.State.String() }

// linkText tells what a link did to a message: "link p1–a2 #12 prepare:
// dropped reply", with the message's place in the step queue if held.
func linkText(e cluster.LinkEvent) string {
	s := "link " + e.Proposer + "–" + e.Acceptor
	if e.Change != 0 {
		s += fmt.Sprintf(" #%d", e.Change)
	}
	if e.Phase != 0 {
		s += " " + e.Phase.String()
	}
	s += ": " + e.What
	if e.Held != 0 {
		s += fmt.Sprintf(" (queued #%d)", e.Held)
	}
	return s
}

func linkChangedText(e cluster.LinkChanged) string {
	step := "off"
	if e.Step {
		step = "on"
	}
	return fmt.Sprintf("links: %s (faults: %d, step mode %s)", e.Change, len(e.Faults), step)
}

func (f Formatter) latency(d time.Duration) string {
	if f.NoLatency {
		return ""
	}
	return " (" + Duration(d) + ")"
}

// Duration returns d rounded for reading: "45µs", "0.3ms", "12ms", "1.25s".
func Duration(d time.Duration) string {
	switch {
	case d < 100*time.Microsecond:
		return strconv.FormatInt(d.Microseconds(), 10) + "µs"
	case d < 10*time.Millisecond:
		return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 1, 64) + "ms"
	case d < time.Second:
		return strconv.FormatInt(d.Milliseconds(), 10) + "ms"
	}
	return strconv.FormatFloat(d.Seconds(), 'f', 2, 64) + "s"
}

// maxValue is how many bytes of a value a line shows.
const maxValue = 32

// value quotes v, cut to maxValue bytes, or returns nil for no value.
func value(v []byte) string {
	if v == nil {
		return "nil"
	}
	if len(v) <= maxValue {
		return strconv.Quote(string(v))
	}
	cut := maxValue
	for cut > 0 && !utf8.RuneStart(v[cut]) {
		cut--
	}
	return fmt.Sprintf("%s…(%d bytes)", strconv.Quote(string(v[:cut])), len(v))
}

func quoteIfNeeded(s string) string {
	if s == "" || strings.ContainsFunc(s, func(r rune) bool { return r <= ' ' || r == '"' || r >= utf8.RuneSelf }) {
		return strconv.Quote(s)
	}
	return s
}
