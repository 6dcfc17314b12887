package kv

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
	"strconv"
)

// parseJSON decodes exactly one JSON value, with integers as int64.
// Integers, booleans and strings take a path without reflection.
func parseJSON(b []byte) (any, error) {
	switch {
	case isJSONInt(b):
		if i, err := strconv.ParseInt(string(b), 10, 64); err == nil {
			return i, nil
		}
	case string(b) == "true":
		return true, nil
	case string(b) == "false":
		return false, nil
	case len(b) > 0 && b[0] == '"':
		var s string
		err := json.Unmarshal(b, &s)
		return s, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if !atEOF(dec) {
		return nil, errors.New("trailing data after the JSON value")
	}
	return numbers(v), nil
}

// atEOF reports whether dec has nothing left but white space.
func atEOF(dec *json.Decoder) bool {
	_, err := dec.Token()
	return err == io.EOF
}

// isJSONInt reports whether b is a JSON integer: an optional minus, then
// 0 or digits without a leading zero.
func isJSONInt(b []byte) bool {
	if len(b) > 0 && b[0] == '-' {
		b = b[1:]
	}
	if len(b) == 0 || b[0] == '0' && len(b) > 1 {
		return false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// appendJSON appends the JSON form of v to out, as json.Marshal writes it.
func appendJSON(out []byte, v any) ([]byte, error) {
	switch t := v.(type) {
	case int64:
		return strconv.AppendInt(out, t, 10), nil
	case bool:
		return strconv.AppendBool(out, t), nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return append(out, b...), nil
}

// numbers replaces each json.Number in v by an int64 or a float64.
func numbers(v any) any {
	switch t := v.(type) {
	case json.Number:
		if i, err := strconv.ParseInt(t.String(), 10, 64); err == nil {
			return i
		}
		f, _ := t.Float64()
		if f == math.Trunc(f) && math.Abs(f) < 1<<63 {
			return int64(f)
		}
		return f
	case []any:
		for i := range t {
			t[i] = numbers(t[i])
		}
	case map[string]any:
		for k := range t {
			t[k] = numbers(t[k])
		}
	}
	return v
}
