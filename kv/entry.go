package kv

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
)

// Entry is what a key holds: its version, and its value unless the key is
// absent (Version 0) or deleted (a tombstone). Value is one of string,
// int64, float64, bool, []any or map[string]any, nested the same way.
type Entry struct {
	Version uint64
	Value   any
	Deleted bool
}

// Live reports whether e holds a value: the key exists and is not deleted.
func (e Entry) Live() bool { return e.Version > 0 && !e.Deleted }

// String shows e for people: `42 (version 3)`, `deleted (version 4)` or
// `absent`.
func (e Entry) String() string {
	switch {
	case e.Version == 0:
		return "absent"
	case e.Deleted:
		return fmt.Sprintf("deleted (version %d)", e.Version)
	}
	b, err := json.Marshal(e.Value)
	if err != nil {
		return fmt.Sprintf("%v (version %d)", e.Value, e.Version)
	}
	return fmt.Sprintf("%s (version %d)", b, e.Version)
}

// wire is the JSON form of an Entry, documented in the package comment.
type wire struct {
	Version uint64          `json:"version"`
	Value   json.RawMessage `json:"value,omitempty"`
	Deleted bool            `json:"deleted,omitempty"`
}

// Encode returns the state stored for e. An absent entry encodes as nil.
func Encode(e Entry) ([]byte, error) {
	if e.Version == 0 {
		return nil, nil
	}
	out := make([]byte, 0, 48)
	out = append(out, `{"version":`...)
	out = strconv.AppendUint(out, e.Version, 10)
	if e.Deleted {
		return append(out, `,"deleted":true}`...), nil
	}
	if e.Value == nil {
		return nil, fmt.Errorf("%w: null is not a value; delete the key instead", ErrBadValue)
	}
	out = append(out, `,"value":`...)
	out, err := appendJSON(out, e.Value)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadValue, err)
	}
	return append(out, '}'), nil
}

// Decode parses a stored state. Nil or empty state is the absent entry;
// anything but the documented JSON object is ErrCorrupt.
func Decode(state []byte) (Entry, error) {
	if len(state) == 0 {
		return Entry{}, nil
	}
	if e, ok := decodeCanonical(state); ok {
		return e, nil
	}
	return decodeStrict(state)
}

// decodeStrict parses any JSON spelling of an entry, with reflection.
func decodeStrict(state []byte) (Entry, error) {
	corrupt := fmt.Errorf("%w: %.60q", ErrCorrupt, state)
	dec := json.NewDecoder(bytes.NewReader(state))
	dec.DisallowUnknownFields()
	var w wire
	if err := dec.Decode(&w); err != nil || !atEOF(dec) {
		return Entry{}, corrupt
	}
	hasValue := len(w.Value) > 0 && string(w.Value) != "null"
	if w.Version == 0 || w.Deleted == hasValue {
		return Entry{}, corrupt
	}
	e := Entry{Version: w.Version, Deleted: w.Deleted}
	if hasValue {
		v, err := parseJSON(w.Value)
		if err != nil {
			return Entry{}, corrupt
		}
		e.Value = v
	}
	return e, nil
}

// decodeCanonical parses the exact form Encode writes, without reflection.
// It reports false for anything else, which Decode then parses strictly.
func decodeCanonical(state []byte) (Entry, bool) {
	rest, ok := bytes.CutPrefix(state, []byte(`{"version":`))
	if !ok {
		return Entry{}, false
	}
	n := 0
	for n < len(rest) && rest[n] >= '0' && rest[n] <= '9' {
		n++
	}
	if n == 0 || rest[0] == '0' {
		return Entry{}, false
	}
	version, err := strconv.ParseUint(string(rest[:n]), 10, 64)
	if err != nil {
		return Entry{}, false
	}
	rest = rest[n:]
	if string(rest) == `,"deleted":true}` {
		return Entry{Version: version, Deleted: true}, true
	}
	raw, ok := bytes.CutPrefix(rest, []byte(`,"value":`))
	if !ok || len(raw) < 2 || raw[len(raw)-1] != '}' {
		return Entry{}, false
	}
	v, err := parseJSON(raw[:len(raw)-1])
	if err != nil || v == nil {
		return Entry{}, false
	}
	return Entry{Version: version, Value: v}, true
}

// ParseValue reads a value typed on a command line: JSON when text is a
// JSON value other than null (42, 1.5, true, "quoted", [1,2], {"a":1}),
// otherwise the text itself as a string.
func ParseValue(text string) any {
	v, err := parseJSON([]byte(text))
	if err != nil || v == nil {
		return text
	}
	return v
}

// Normalize converts v to the types an Entry holds, as storing and reading
// it back would. It fails for values JSON cannot carry (NaN, channels).
func Normalize(v any) (any, error) {
	if v == nil {
		return nil, fmt.Errorf("%w: null is not a value; delete the key instead", ErrBadValue)
	}
	switch t := v.(type) {
	case string, bool, int64:
		return v, nil
	case int:
		return int64(t), nil
	case float64:
		if math.IsNaN(t) || math.IsInf(t, 0) {
			return nil, fmt.Errorf("%w: %v is not a JSON number", ErrBadValue, t)
		}
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadValue, err)
	}
	return parseJSON(b)
}
