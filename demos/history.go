package demos

import (
	"errors"
	"math"
	"strconv"
	"strings"

	"github.com/gryadka/gryadka/check"
	"github.com/gryadka/gryadka/kv"
	"github.com/gryadka/gryadka/paxos"
)

// Outcome is what a change's caller learned.
type Outcome string

// The outcomes of a change, in the words of  expect last change.
const (
	OutcomeOK      Outcome = "ok"
	OutcomeFailed  Outcome = "failed"
	OutcomeUnknown Outcome = "unknown"
)

// outcomeOf classifies a change's error: a change that may or may not
// have been applied is unknown.
func outcomeOf(err error) Outcome {
	switch {
	case err == nil, errors.Is(err, kv.ErrNotFound):
		return OutcomeOK
	case errors.Is(err, kv.ErrUnknownOutcome), paxos.IsIndefinite(err):
		return OutcomeUnknown
	}
	return OutcomeFailed
}

// inputOf turns a key-value command line into the checker's input. ok is
// false for a command the checker cannot follow (a change expression, a
// value that is not a whole number).
func inputOf(line string) (in check.Input, ok bool) {
	f := strings.Fields(line)
	if len(f) < 2 {
		return check.Input{}, false
	}
	in.Key = f[1]
	num := func(i int) int64 {
		if i >= len(f) {
			ok = false
			return 0
		}
		n, err := strconv.ParseInt(f[i], 10, 64)
		if err != nil {
			ok = false
		}
		return n
	}
	ok = true
	switch f[0] {
	case "get":
		in.Kind = check.OpGet
	case "incr":
		in.Kind = check.OpIncr
	case "del":
		in.Kind = check.OpDelete
	case "set":
		in.Kind, in.Value = check.OpSet, num(2)
	case "cas":
		in.Kind, in.Version, in.Value = check.OpCAS, uint64(num(2)), num(3)
	default:
		return check.Input{}, false
	}
	return in, ok
}

// outputOf says what the checker learns from a key-value command's
// result: its error, or the entry the dashboard showed after "→".
func outputOf(kind check.OpKind, text string, err error) check.Output {
	var mismatch *kv.MismatchError
	switch {
	case errors.As(err, &mismatch):
		return check.Output{Outcome: check.OutcomeRefused, Version: mismatch.Current, Versioned: true}
	case errors.Is(err, kv.ErrNotFound) && kind == check.OpDelete:
		return check.Output{Outcome: check.OutcomeRefused, Versioned: true}
	case errors.Is(err, kv.ErrNotFound):
		return check.Output{Outcome: check.OutcomeOK, Versioned: true}
	case outcomeOf(err) == OutcomeUnknown:
		return check.Output{Outcome: check.OutcomeUnknown}
	case err != nil:
		return check.Output{Outcome: check.OutcomeFailed}
	}
	_, shown, _ := strings.Cut(text, "→ ")
	out := check.Output{Outcome: check.OutcomeOK, Versioned: true}
	value, version, found := strings.Cut(strings.TrimSpace(shown), " (version ")
	if !found {
		return out // absent
	}
	n, perr := strconv.ParseUint(strings.TrimSuffix(version, ")"), 10, 64)
	if perr != nil {
		return check.Output{Outcome: check.OutcomeUnknown}
	}
	out.Version = n
	if value == "deleted" {
		return out
	}
	out.Exists = true
	if out.Value, perr = strconv.ParseInt(value, 10, 64); perr != nil {
		out.Value = math.MinInt64 // no write of a demo stores it: the checker flags it
	}
	return out
}
