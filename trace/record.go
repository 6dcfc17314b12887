package trace

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/gryadka/gryadka/cluster"
	"github.com/gryadka/gryadka/gc"
	"github.com/gryadka/gryadka/paxos"
)

// Record is one event as delivered by a Bus: Seq numbers the events of the
// bus from 1, without gaps, so a reader can tell how many it missed.
//
// As JSON, a record is one object {"seq":12,"kind":"paxos.send","event":{…}}
// whose event holds the fields of the event type named by kind.
type Record struct {
	Seq   uint64
	Event paxos.Event
}

// ErrUnknownKind is wrapped when a record names an event kind this package
// cannot decode.
var ErrUnknownKind = errors.New("trace: unknown event kind")

// decoders maps each event kind to its decoder: one line per kind.
var decoders = map[string]func([]byte) (paxos.Event, error){
	paxos.ChangeStarted{}.Kind():       decodeAs[paxos.ChangeStarted],
	paxos.MessageSent{}.Kind():         decodeAs[paxos.MessageSent],
	paxos.ReplyReceived{}.Kind():       decodeAs[paxos.ReplyReceived],
	paxos.QuorumDecided{}.Kind():       decodeAs[paxos.QuorumDecided],
	paxos.BallotFastForwarded{}.Kind(): decodeAs[paxos.BallotFastForwarded],
	paxos.ChangeFinished{}.Kind():      decodeAs[paxos.ChangeFinished],
	cluster.NodeStateChanged{}.Kind():  decodeAs[cluster.NodeStateChanged],
	cluster.LinkEvent{}.Kind():         decodeAs[cluster.LinkEvent],
	cluster.LinkChanged{}.Kind():       decodeAs[cluster.LinkChanged],
	gc.StepEvent{}.Kind():              decodeAs[gc.StepEvent],
	cluster.MembershipStep{}.Kind():    decodeAs[cluster.MembershipStep],
}

func decodeAs[E paxos.Event](data []byte) (paxos.Event, error) {
	var e E
	err := json.Unmarshal(data, &e)
	return e, err
}

// Kinds returns the event kinds that Decode understands, sorted.
func Kinds() []string { return slices.Sorted(maps.Keys(decoders)) }

type wireRecord struct {
	Seq   uint64          `json:"seq"`
	Kind  string          `json:"kind"`
	Event json.RawMessage `json:"event"`
}

// MarshalJSON writes r as {"seq":…,"kind":…,"event":{…}}.
func (r Record) MarshalJSON() ([]byte, error) {
	if r.Event == nil {
		return nil, fmt.Errorf("trace: record %d has no event", r.Seq)
	}
	ev, err := json.Marshal(r.Event)
	if err != nil {
		return nil, fmt.Errorf("trace: record %d (%s): %w", r.Seq, r.Event.Kind(), err)
	}
	return json.Marshal(wireRecord{Seq: r.Seq, Kind: r.Event.Kind(), Event: ev})
}

// UnmarshalJSON reads a record written by MarshalJSON into the concrete
// event type of its kind.
func (r *Record) UnmarshalJSON(data []byte) error {
	rec, err := decodeRecord(data)
	if err != nil {
		return fmt.Errorf("trace: %w", err)
	}
	*r = rec
	return nil
}

// decodeRecord parses one record; its errors leave the "trace:" prefix to
// the caller, who may add a line number.
func decodeRecord(data []byte) (Record, error) {
	var w wireRecord
	if err := json.Unmarshal(data, &w); err != nil {
		return Record{}, fmt.Errorf("not a trace record: %w", err)
	}
	if w.Kind == "" {
		return Record{}, errors.New(`the record has no "kind"`)
	}
	decode, ok := decoders[w.Kind]
	if !ok {
		return Record{}, &kindError{kind: w.Kind}
	}
	if len(w.Event) == 0 || string(w.Event) == "null" {
		return Record{}, fmt.Errorf(`the %s record has no "event"`, w.Kind)
	}
	e, err := decode(w.Event)
	if err != nil {
		return Record{}, fmt.Errorf("bad %s event: %w", w.Kind, err)
	}
	return Record{Seq: w.Seq, Event: e}, nil
}

// kindError is an unknown kind; it matches ErrUnknownKind.
type kindError struct{ kind string }

func (e *kindError) Error() string {
	return fmt.Sprintf("unknown event kind %q (known: %s)", e.kind, strings.Join(Kinds(), ", "))
}

func (e *kindError) Is(target error) bool { return target == ErrUnknownKind }
