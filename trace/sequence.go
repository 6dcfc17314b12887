package trace

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/gryadka/gryadka/cluster"
	"github.com/gryadka/gryadka/paxos"
)

// Sequence returns the message sequence chart of records, with latencies.
func Sequence(records []Record) string { return Formatter{}.Sequence(records) }

// Sequence draws records as a plain-text message sequence chart: one
// column per proposer, then one per acceptor, and one row per record in
// the order given, described on the right:
//
//	p1    a1    a2    a3
//	●     │     │     │    #1 set k 1: start 5:p1.0 (2RTT)
//	├────▶│     │     │    #1 prepare 5:p1.0
//	├─────┼────▶│     │    #1 prepare 5:p1.0
//	├─────┼─────┼────▶│    #1 prepare 5:p1.0
//	│◀────┤     │     │    #1 promise, nothing accepted (0.2ms)
//	│◀────┼─────┤     │    #1 promise accepted=4:p2.0 value="0" (0.3ms)
//	●     │     │     │    #1 prepare quorum won: 2 yes, 0 no, 2 needed
//	│✗┄┄┄┄┼┄┄┄┄┄┼┄┄┄┄┄┤    #1 prepare 5:p1.0 timed out (3.00s)
//
// Answers are solid arrows; a missing answer (error, timeout) is dashed
// and ends in ✗. Steps of a proposer, such as a quorum or a commit, are
// marked ● on its column, and so are an acceptor's changes of state; what
// a link did to a message (a fault, a step of step mode) is marked ◇ on
// the acceptor's column. A proposer's column is titled with its ID
// without the incarnation, unless two proposers would then share a title.
func (f Formatter) Sequence(records []Record) string {
	if len(records) == 0 {
		return ""
	}
	c := newChart(records)
	var sb strings.Builder
	c.header(&sb)
	for _, r := range records {
		c.row(&sb, f, r)
	}
	return sb.String()
}

// chart is the layout of a sequence chart.
type chart struct {
	lanes []string       // column titles
	index map[string]int // proposer or acceptor name → column
	width int            // characters per column
}

func newChart(records []Record) *chart {
	var proposers, acceptors []string
	seen := map[string]bool{}
	add := func(list *[]string, name string) {
		if name != "" && !seen[name] {
			seen[name] = true
			*list = append(*list, name)
		}
	}
	for _, r := range records {
		if m, ok := MetaOf(r.Event); ok {
			add(&proposers, m.Proposer)
		}
		switch e := r.Event.(type) {
		case paxos.MessageSent:
			add(&acceptors, e.Acceptor)
		case paxos.ReplyReceived:
			add(&acceptors, e.Acceptor)
		case cluster.NodeStateChanged:
			add(&acceptors, e.Node)
		case cluster.LinkEvent:
			add(&acceptors, e.Acceptor)
		}
	}
	slices.Sort(acceptors)
	c := &chart{index: map[string]int{}, width: 6}
	titles := shortNames(proposers)
	for i, p := range proposers {
		c.index[p] = i
		c.lanes = append(c.lanes, titles[i])
	}
	for _, a := range acceptors {
		c.index[a] = len(c.lanes)
		c.lanes = append(c.lanes, a)
	}
	for _, l := range c.lanes {
		c.width = max(c.width, utf8.RuneCountInString(l)+2)
	}
	return c
}

// shortNames drops the incarnation from proposer IDs when that keeps them
// distinct.
func shortNames(ids []string) []string {
	short := make([]string, len(ids))
	seen := map[string]bool{}
	for i, id := range ids {
		short[i], _, _ = strings.Cut(id, ".")
		if seen[short[i]] {
			return ids
		}
		seen[short[i]] = true
	}
	return short
}

// MetaOf returns the proposer and change of a proposer's event; false for
// an event of the cluster.
func MetaOf(e paxos.Event) (paxos.Meta, bool) {
	switch e := e.(type) {
	case paxos.ChangeStarted:
		return e.Meta, true
	case paxos.MessageSent:
		return e.Meta, true
	case paxos.ReplyReceived:
		return e.Meta, true
	case paxos.QuorumDecided:
		return e.Meta, true
	case paxos.BallotFastForwarded:
		return e.Meta, true
	case paxos.ChangeFinished:
		return e.Meta, true
	}
	return paxos.Meta{}, false
}

// center is the character position of column i's line.
func (c *chart) center(i int) int { return i*c.width + c.width/2 }

func (c *chart) header(sb *strings.Builder) {
	line := []rune(strings.Repeat(" ", len(c.lanes)*c.width))
	for i, l := range c.lanes {
		start := c.center(i) - (utf8.RuneCountInString(l)-1)/2
		copy(line[start:], []rune(l))
	}
	sb.WriteString(strings.TrimRight(string(line), " ") + "\n")
}

// blank returns a row of bare column lines.
func (c *chart) blank() []rune {
	line := []rune(strings.Repeat(" ", len(c.lanes)*c.width))
	for i := range c.lanes {
		line[c.center(i)] = '│'
	}
	return line
}

func (c *chart) row(sb *strings.Builder, f Formatter, r Record) {
	line := c.blank()
	var text string
	switch e := r.Event.(type) {
	case paxos.ChangeStarted:
		c.mark(line, e.Proposer, '●')
		text = change(e.Meta) + subject(e.Meta) + ": " + f.startText(e)
	case paxos.MessageSent:
		c.arrow(line, e.Proposer, e.Acceptor, true)
		text = change(e.Meta) + sendText(e)
	case paxos.ReplyReceived:
		c.arrow(line, e.Acceptor, e.Proposer, answered(e))
		text = change(e.Meta) + f.replyText(e)
	case paxos.QuorumDecided:
		c.mark(line, e.Proposer, '●')
		text = change(e.Meta) + quorumText(e)
	case paxos.BallotFastForwarded:
		c.mark(line, e.Proposer, '●')
		text = change(e.Meta) + forwardText(e)
	case paxos.ChangeFinished:
		c.mark(line, e.Proposer, '●')
		text = change(e.Meta) + f.finishText(e)
	case cluster.NodeStateChanged:
		c.mark(line, e.Node, '●')
		text = e.Node + " " + nodeText(e)
	case cluster.LinkEvent:
		c.mark(line, e.Acceptor, '◇')
		text = linkText(e)
	default:
		text = f.Format(r)
	}
	sb.WriteString(string(line) + "  " + text + "\n")
}

func change(m paxos.Meta) string { return fmt.Sprintf("#%d ", m.Change) }

func (c *chart) mark(line []rune, who string, sign rune) {
	if i, ok := c.index[who]; ok {
		line[c.center(i)] = sign
	}
}

// arrow draws a message from column from to column to: solid with a head
// when it arrived, dashed and ending in ✗ when it did not.
func (c *chart) arrow(line []rune, from, to string, arrived bool) {
	i, ok1 := c.index[from]
	j, ok2 := c.index[to]
	if !ok1 || !ok2 || i == j {
		return
	}
	dash, head := '─', '▶'
	if !arrived {
		dash, head = '┄', '✗'
	}
	step, out := 1, '├'
	if j < i {
		step, out = -1, '┤'
		if arrived {
			head = '◀'
		}
	}
	a, b := c.center(i), c.center(j)
	line[a] = out
	for p := a + step; p != b-step; p += step {
		if line[p] == '│' {
			line[p] = '┼'
		} else {
			line[p] = dash
		}
	}
	line[b-step] = head
}
