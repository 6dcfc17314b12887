package kv

import (
	"errors"
	"fmt"
	"strings"
)

// Errors of the key-value layer. Operations wrap them in an *OpError that
// names the operation and key; match them with errors.Is.
var (
	// ErrNotFound: the key was never written, or is deleted.
	ErrNotFound = errors.New("kv: not found")
	// ErrVersionMismatch: a CAS named a version the key is not at; the
	// error is a *MismatchError carrying the current version.
	ErrVersionMismatch = errors.New("kv: version mismatch")
	// ErrNotInteger: Incr found a value that is not an integer, or the
	// sum does not fit in 64 bits.
	ErrNotInteger = errors.New("kv: not an integer")
	// ErrBadValue: the value cannot be stored (null, NaN, too large).
	ErrBadValue = errors.New("kv: value cannot be stored")
	// ErrCorrupt: the acceptors hold a state for the key that is not an
	// Entry, for example data written by another program.
	ErrCorrupt = errors.New("kv: stored state is not a gryadka value")
	// ErrBadExpression: a Change expression does not compile.
	ErrBadExpression = errors.New("kv: bad expression")
	// ErrExpressionFailed: a Change expression failed on the current value
	// or broke a limit while running; nothing changed.
	ErrExpressionFailed = errors.New("kv: expression failed")
	// ErrConflict: other proposers kept winning the key until the context's
	// deadline or the attempt limit; nothing changed.
	ErrConflict = errors.New("kv: conflicts outlasted the retries")
	// ErrUnknownOutcome: the change may or may not have been applied; only
	// a later read can tell. Such a change is never retried.
	ErrUnknownOutcome = errors.New("kv: outcome unknown")
)

// MismatchError is a failed CAS: the caller expected Expected, the key is
// at Current (0 when it was never written).
type MismatchError struct {
	Expected, Current uint64
}

// Error says both versions.
func (e *MismatchError) Error() string {
	return fmt.Sprintf("kv: version mismatch: expected version %d, the key is at version %d", e.Expected, e.Current)
}

// Is makes errors.Is(err, ErrVersionMismatch) hold.
func (e *MismatchError) Is(target error) bool { return target == ErrVersionMismatch }

// OpError is the error of one operation: Op is "get", "set", "cas",
// "incr", "del" or "change". Entry is the key's state when the cluster
// answered with a refusal (not found, version mismatch, not an integer).
type OpError struct {
	Op    string
	Key   string
	Entry Entry
	Err   error
}

// Error reads "cas k: version mismatch: expected version 3, the key is at version 5".
func (e *OpError) Error() string {
	return e.Op + " " + e.Key + ": " + strings.TrimPrefix(e.Err.Error(), "kv: ")
}

// Unwrap returns the cause, for errors.Is and errors.As.
func (e *OpError) Unwrap() error { return e.Err }
