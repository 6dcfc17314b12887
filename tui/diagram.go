package tui

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gryadka/gryadka/cluster"
	"github.com/gryadka/gryadka/kv"
	"github.com/gryadka/gryadka/paxos"
	"github.com/gryadka/gryadka/trace"
)

// The bounds of the protocol history.
const (
	maxChanges       = 400 // changes kept for scrolling back
	maxRowsPerChange = 40  // message rows kept per change
)

// rowKind tells how a row of the sequence diagram is drawn.
type rowKind uint8

const (
	rowPrepare  rowKind = iota + 1 // a prepare request
	rowAccept                      // an accept request
	rowOK                          // a promise or an acceptance
	rowConflict                    // a refusal: the acceptor saw a higher ballot
	rowLost                        // a timeout, an error or a dropped message
	rowQuorum                      // a phase's vote was decided
	rowNote                        // anything else the proposer did
)

// diagRow is one message, or one step of the proposer, in a change.
type diagRow struct {
	kind     rowKind
	from, to string // column names; to is empty for a note on from
	text     string
	value    []byte // shown after text when hasValue, formatted only when drawn
	hasValue bool
	latency  time.Duration
	failed   bool // for rowQuorum: the vote was lost
}

// maxKeptValue bounds the bytes of a value a row keeps.
const maxKeptValue = 256

// withValue attaches a value to a row, keeping a bounded prefix.
func (r diagRow) withValue(v []byte) diagRow {
	if len(v) > maxKeptValue {
		v = v[:64:64]
	}
	r.value, r.hasValue = v, true
	return r
}

// label is the row's text as drawn.
func (r diagRow) label() string {
	s := r.text
	if r.hasValue {
		s += " " + shortValue(r.value)
	}
	if r.latency > 0 {
		s += " " + trace.Duration(r.latency)
	}
	return s
}

// change is one round of one proposer, with its messages.
type change struct {
	proposer   string // short proposer name, the column
	id         paxos.ChangeID
	key, label string
	ballot     paxos.Ballot
	oneRTT     bool
	batch      int

	done       bool
	committed  bool
	indefinite bool
	err        string
	value      []byte
	rtts       int
	elapsed    time.Duration

	rows     []diagRow
	overflow int    // rows not kept
	revealed string // what a later prepare showed about a change in doubt
}

type changeKey struct {
	proposer string
	id       paxos.ChangeID
}

// diagram aggregates trace records into changes. It is pure state: the
// protocol panel feeds it batches and draws it.
type diagram struct {
	changes   *ring[*change]
	index     map[changeKey]*change
	proposers []string
	acceptors []string
	doubts    map[string]*change // key -> the latest change in doubt
	prepares  map[changeKey]paxos.Ballot
}

func newDiagram() *diagram {
	return &diagram{changes: newRing[*change](maxChanges), index: map[changeKey]*change{},
		doubts: map[string]*change{}, prepares: map[changeKey]paxos.Ballot{}}
}

// shortProposer drops the incarnation of a proposer ID: "p1.1f3a9c02" is "p1".
func shortProposer(id string) string {
	name, _, _ := strings.Cut(id, ".")
	return name
}

// shortBallot writes a ballot with a short proposer, "7:p1".
func shortBallot(b paxos.Ballot) string {
	if b.IsZero() {
		return "0"
	}
	return fmt.Sprintf("%d:%s", b.Counter, shortProposer(b.Proposer))
}

// shortValue writes a stored state in few cells: "nil", a key-value
// entry as its value and version ("5 v3"), or else the quoted bytes.
func shortValue(v []byte) string {
	if v == nil {
		return "nil"
	}
	s := fmt.Sprintf("%q", v)
	if e, err := kv.Decode(v); err == nil {
		switch {
		case e.Deleted:
			s = fmt.Sprintf("deleted v%d", e.Version)
		default:
			b, _ := json.Marshal(e.Value)
			s = fmt.Sprintf("%s v%d", b, e.Version)
		}
	}
	if r := []rune(s); len(r) > 18 {
		s = string(r[:17]) + "…"
	}
	return s
}

func (d *diagram) addColumn(list *[]string, name string) {
	if name != "" && !slices.Contains(*list, name) {
		*list = append(*list, name)
		slices.Sort(*list)
	}
}

// columns returns the proposers, then the acceptors.
func (d *diagram) columns() []string {
	return append(slices.Clone(d.proposers), d.acceptors...)
}

// apply folds one record into the diagram.
func (d *diagram) apply(r trace.Record) {
	switch e := r.Event.(type) {
	case paxos.ChangeStarted:
		c := &change{proposer: shortProposer(e.Proposer), id: e.Change, key: e.Key, label: e.Label,
			ballot: e.Ballot, oneRTT: e.OneRTT, batch: e.Batch}
		d.addColumn(&d.proposers, c.proposer)
		if old, dropped := d.changes.push(c); dropped {
			delete(d.index, changeKey{old.proposer, old.id})
			delete(d.prepares, changeKey{old.proposer, old.id})
		}
		d.index[changeKey{c.proposer, c.id}] = c
	case paxos.MessageSent:
		d.addColumn(&d.acceptors, e.Acceptor)
		row := diagRow{kind: rowPrepare, from: shortProposer(e.Proposer), to: e.Acceptor, text: "prepare " + shortBallot(e.Ballot)}
		if e.Phase == paxos.PhaseAccept {
			row.kind, row.text = rowAccept, "accept "+shortBallot(e.Ballot)
			row = row.withValue(e.Value)
		}
		d.add(e.Meta, row)
	case paxos.ReplyReceived:
		d.reply(e)
	case paxos.QuorumDecided:
		d.add(e.Meta, diagRow{kind: rowQuorum, from: shortProposer(e.Proposer), failed: e.Result != paxos.VoteWon,
			text: fmt.Sprintf("%s quorum %s: %d yes, %d no, %d needed", e.Phase, e.Result, e.Acks, e.Nacks, e.Needed)})
		if e.Phase == paxos.PhasePrepare && e.Result == paxos.VoteWon {
			d.reveal(e.Meta)
		}
	case paxos.BallotFastForwarded:
		d.add(e.Meta, diagRow{kind: rowNote, from: shortProposer(e.Proposer),
			text: "fast-forward to " + shortBallot(e.To)})
	case cluster.LinkEvent:
		d.link(e)
	case paxos.ChangeFinished:
		c := d.index[changeKey{shortProposer(e.Proposer), e.Change}]
		if c == nil {
			return
		}
		c.done, c.committed, c.indefinite, c.err = true, e.Committed, e.Indefinite, e.Err
		c.value, c.rtts, c.elapsed, c.ballot = diagRow{}.withValue(e.Value).value, e.RoundTrips, e.Elapsed, e.Ballot
		if c.indefinite {
			d.doubts[c.key] = c
		}
	}
}

func (d *diagram) add(m paxos.Meta, row diagRow) {
	c := d.index[changeKey{shortProposer(m.Proposer), m.Change}]
	if c == nil {
		return
	}
	if len(c.rows) >= maxRowsPerChange {
		c.overflow++
		return
	}
	c.rows = append(c.rows, row)
}

// link shows what a link did to a message: a loss stands out, a step of
// step mode or a delay is a quiet row.
func (d *diagram) link(e cluster.LinkEvent) {
	d.addColumn(&d.acceptors, e.Acceptor)
	row := diagRow{kind: rowNote, from: shortProposer(e.Proposer), to: e.Acceptor, text: e.What}
	if strings.Contains(e.What, "reply") {
		row.from, row.to = row.to, row.from
	}
	for _, bad := range []string{"drop", "block", "hung", "gave up"} {
		if strings.Contains(e.What, bad) {
			row.kind, row.text = rowLost, "✗ "+e.What
		}
	}
	if e.Held != 0 {
		row.text += fmt.Sprintf(" #%d", e.Held)
	}
	d.add(paxos.Meta{Proposer: e.Proposer, Change: e.Change}, row)
}

func (d *diagram) reply(e paxos.ReplyReceived) {
	row := diagRow{kind: rowOK, from: e.Acceptor, to: shortProposer(e.Proposer)}
	switch {
	case e.OK && e.Phase == paxos.PhasePrepare:
		row.text = "promise"
		if !e.Accepted.IsZero() {
			row.text += " " + shortBallot(e.Accepted)
			row = row.withValue(e.Value)
		}
		k := changeKey{row.to, e.Change}
		if b, ok := d.prepares[k]; !ok || b.Less(e.Accepted) {
			d.prepares[k] = e.Accepted
		}
	case e.OK:
		row.text = "accepted"
	case !e.Seen.IsZero():
		row.kind, row.text = rowConflict, "conflict, seen "+shortBallot(e.Seen)
	case e.Timeout:
		row.kind, row.text = rowLost, "timeout"
	default:
		row.kind, row.text = rowLost, "error: "+e.Err
	}
	row.latency = e.Latency
	d.add(e.Meta, row)
}

// reveal tells, once a later prepare quorum of the same key answered,
// whether a change in doubt was chosen: the prepare adopts the value of
// the highest accepted ballot it saw.
func (d *diagram) reveal(m paxos.Meta) {
	c := d.doubts[m.Key]
	k := changeKey{shortProposer(m.Proposer), m.Change}
	highest, ok := d.prepares[k]
	delete(d.prepares, k)
	if c == nil || !ok || (c.proposer == k.proposer && c.id == k.id) {
		return
	}
	switch highest.Compare(c.ballot) {
	case 0:
		c.revealed = fmt.Sprintf("chosen: #%d of %s adopted it", m.Change, k.proposer)
	case -1:
		c.revealed = fmt.Sprintf("not chosen: #%d of %s did not see it", m.Change, k.proposer)
	default:
		c.revealed = fmt.Sprintf("superseded by ballot %s", shortBallot(highest))
	}
	delete(d.doubts, m.Key)
}

// inDoubt returns how many changes are still in doubt.
func (d *diagram) inDoubt() int { return len(d.doubts) }
