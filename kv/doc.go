// Package kv is a linearizable key-value store on top of a CASPaxos
// proposer: every operation is one paxos.Proposer.Change of one key.
//
// # Values and versions
//
// A key holds an Entry: a JSON value and a version. Every committed change
// bumps the version by one; Get is the identity change (CASPaxos reads by
// writing the state back) and keeps it. Delete writes a tombstone that
// keeps the version, so a key that is deleted and set again never reuses a
// version and CAS cannot confuse the new value with an old one (no ABA).
// A Get of a tombstone or of a key never written reports ErrNotFound.
//
// # Encoding
//
// The state the acceptors store for a key is one JSON object:
//
//	{"version":3,"value":42}              a live value
//	{"version":4,"deleted":true}          a tombstone
//
// An absent state (nothing accepted yet) is a key at version 0. Values are
// JSON: strings, numbers, booleans, arrays and objects; null is not a value
// (Delete removes a key). A number without a fraction or exponent that fits
// in 64 bits is an integer (int64 in Go); other numbers are float64, and a
// float with no fractional part comes back as an integer. Any other stored
// state is reported as ErrCorrupt and never overwritten.
//
// # Expressions
//
// Change runs an update typed by a user in the expr language
// (github.com/expr-lang/expr). The current value is x (nil when the key is
// absent or deleted) and the result becomes the new value; a nil result
// deletes the key. Example: x == nil ? 1 : x + 1. In an expression x is a
// string, an integer (int64), a float (float64), a bool, an array ([]any)
// or an object (map[string]any), as stored; integers and floats mix as in
// expr (x + 0.5 is a float) and integer arithmetic wraps around on
// overflow, as in Go. The expression sees x and pure built-in functions
// only (len, upper, split, map, filter, …); it cannot reach Go functions,
// the clock or the process, and its size, memory, result size and running
// time are bounded (see ExprLimits).
//
// # Retries
//
// A conflict that changed nothing (another proposer held a higher ballot)
// is retried with jittered exponential backoff until the context's deadline
// or the attempt limit; so is a refusal by age that changed nothing (the
// garbage collector fenced the proposer off while the change ran, and the
// retry carries the raised age). A change whose outcome is unknown is never retried:
// a retried increment could be applied twice. It fails with
// ErrUnknownOutcome, except for Get, which changes nothing either way.
package kv
