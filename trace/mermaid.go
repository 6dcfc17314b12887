package trace

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/gryadka/gryadka/cluster"
	"github.com/gryadka/gryadka/paxos"
)

// Mermaid returns records as a Mermaid sequence diagram, with latencies.
func Mermaid(records []Record) string { return Formatter{}.Mermaid(records) }

// Mermaid draws records as a Mermaid sequenceDiagram, for slides and
// notes: one participant per proposer, then one per acceptor, as in
// Sequence, and one line per record in the order given:
//
//	p1->>a1: prepare 5:p1.0           a request
//	a1-->>p1: promise, nothing accepted  an answer
//	a2--xp1: conflict: …              a refusal: the acceptor saw a higher ballot
//	a3--)p1: lost: prepare … timed out  no answer (timeout, error, lost reply)
//	Note over p1: prepare quorum won: …  a step of the proposer
//	Note over a2: a2 is down          a node or a link fault
//
// Text that Mermaid would read as syntax (#, ;, <, >, &, %) is written as
// Mermaid's entity codes, and a name that is not a plain identifier, or is
// one of Mermaid's keywords, gets a participant alias.
func (f Formatter) Mermaid(records []Record) string {
	var sb strings.Builder
	sb.WriteString("sequenceDiagram\n")
	if len(records) == 0 {
		return sb.String()
	}
	c := newChart(records)
	ids := participantIDs(c.lanes)
	if len(ids) == 0 {
		ids = []string{"cluster"}
		sb.WriteString("    participant cluster\n")
	}
	for i, l := range c.lanes {
		if ids[i] == l {
			fmt.Fprintf(&sb, "    participant %s\n", l)
		} else {
			fmt.Fprintf(&sb, "    participant %s as %s\n", ids[i], escapeMermaid(l))
		}
	}
	d := mermaidDiagram{c: c, ids: ids}
	for _, r := range records {
		sb.WriteString("    " + d.line(f, r) + "\n")
	}
	return sb.String()
}

// mermaidDiagram maps the names of a chart to Mermaid participant IDs.
type mermaidDiagram struct {
	c   *chart
	ids []string
}

// id returns the participant of a proposer or acceptor, or "" if the
// records never named it.
func (d mermaidDiagram) id(name string) string {
	if i, ok := d.c.index[name]; ok {
		return d.ids[i]
	}
	return ""
}

// line is the Mermaid statement of one record.
func (d mermaidDiagram) line(f Formatter, r Record) string {
	switch e := r.Event.(type) {
	case paxos.ChangeStarted:
		return d.note(e.Proposer, changeName(e.Meta)+": "+subject(e.Meta)+", "+f.startText(e))
	case paxos.MessageSent:
		return d.message(e.Proposer, e.Acceptor, "->>", sendText(e))
	case paxos.ReplyReceived:
		switch {
		case e.OK:
			return d.message(e.Acceptor, e.Proposer, "-->>", f.replyText(e))
		case answered(e):
			return d.message(e.Acceptor, e.Proposer, "--x", f.replyText(e))
		}
		return d.message(e.Acceptor, e.Proposer, "--)", "lost: "+f.replyText(e))
	case paxos.QuorumDecided:
		return d.note(e.Proposer, quorumText(e))
	case paxos.BallotFastForwarded:
		return d.note(e.Proposer, forwardText(e))
	case paxos.ChangeFinished:
		return d.note(e.Proposer, changeName(e.Meta)+" "+f.finishText(e))
	case cluster.NodeStateChanged:
		return d.note(e.Node, e.Node+" "+nodeText(e))
	case cluster.LinkEvent:
		return d.note(e.Acceptor, linkText(e))
	}
	return d.note("", f.Format(r))
}

// changeName names a change without the # that Mermaid would escape.
func changeName(m paxos.Meta) string { return fmt.Sprintf("change %d", m.Change) }

// message is an arrow from one participant to another; a side the records
// do not name turns the message into a note.
func (d mermaidDiagram) message(from, to, arrow, text string) string {
	a, b := d.id(from), d.id(to)
	if a == "" || b == "" || a == b {
		return d.note(from, text)
	}
	return a + arrow + b + ": " + escapeMermaid(text)
}

// note is a note over one participant, or across every participant when
// who is not one of them.
func (d mermaidDiagram) note(who, text string) string {
	over := d.id(who)
	if over == "" {
		over = d.ids[0]
		if last := d.ids[len(d.ids)-1]; last != over {
			over += "," + last
		}
	}
	return "Note over " + over + ": " + escapeMermaid(text)
}

// plainID is a name Mermaid accepts as a participant ID as it is.
var plainID = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)

// mermaidKeywords are words Mermaid's sequence diagrams read as syntax.
var mermaidKeywords = map[string]bool{
	"participant": true, "actor": true, "as": true, "note": true, "over": true, "left": true, "right": true,
	"of": true, "end": true, "loop": true, "alt": true, "else": true, "opt": true, "par": true, "and": true,
	"rect": true, "critical": true, "option": true, "break": true, "activate": true, "deactivate": true,
	"autonumber": true, "title": true, "box": true, "create": true, "destroy": true, "link": true,
	"links": true, "properties": true, "details": true, "off": true, "sequencediagram": true,
}

// participantIDs returns an ID for each lane: the lane's name when Mermaid
// takes it as it is, else "x" and the lane's number.
func participantIDs(lanes []string) []string {
	ids := make([]string, len(lanes))
	used := map[string]bool{}
	for _, l := range lanes {
		used[l] = true
	}
	for i, l := range lanes {
		if plainID.MatchString(l) && !mermaidKeywords[strings.ToLower(l)] {
			ids[i] = l
			continue
		}
		id := fmt.Sprintf("x%d", i+1)
		for used[id] {
			id = "x" + id
		}
		used[id] = true
		ids[i] = id
	}
	return ids
}

// mermaidEscapes writes the characters Mermaid would read as syntax as its
// entity codes: # and ; end a message, %% starts a comment, and labels are
// HTML. A line break becomes a space.
var mermaidEscapes = strings.NewReplacer("#", "#35;", ";", "#59;", "<", "#lt;", ">", "#gt;", "&", "#amp;",
	"%", "#37;", "\n", " ", "\r", " ")

func escapeMermaid(s string) string { return mermaidEscapes.Replace(s) }
