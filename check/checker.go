package check

import (
	"fmt"
	"io"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/anishathalye/porcupine"
)

// Verdict is the result of checking a history.
type Verdict uint8

// The verdicts.
const (
	// Linearizable: every key's history has a legal order.
	Linearizable Verdict = iota + 1
	// Violation: some key's history has none.
	Violation
	// NotVerified: the checker ran out of time. This is never a pass.
	NotVerified
)

// String returns "linearizable", "VIOLATION" or "not verified".
func (v Verdict) String() string {
	switch v {
	case Linearizable:
		return "linearizable"
	case Violation:
		return "VIOLATION"
	case NotVerified:
		return "not verified"
	}
	return fmt.Sprintf("Verdict(%d)", uint8(v))
}

// Result is what checking a history found.
type Result struct {
	Verdict Verdict
	// Ops counts the operations checked; Unknown those among them whose
	// outcome is unknown. Failed operations had no effect and reads of
	// unknown outcome saw nothing: both are skipped.
	Ops, Unknown int
	// Keys counts the keys checked; Bad names those with a violation and
	// Slow those the checker could not finish in time. Once a violation is
	// found, the keys still being checked are abandoned.
	Keys      int
	Bad, Slow []string
	Elapsed   time.Duration

	bad []porcupine.Operation
}

// UnknownShare returns the fraction of checked operations whose outcome
// is unknown.
func (r Result) UnknownShare() float64 {
	if r.Ops == 0 {
		return 0
	}
	return float64(r.Unknown) / float64(r.Ops)
}

// Check checks history key by key against a versioned register, giving up
// after timeout (0: no limit). Operations that failed definitely are left
// out: they changed nothing and saw nothing.
//
// The check is fastest when every set and compare-and-set of a key writes
// a value of its own, farther from the others and from 0 than the key's
// increments can carry it, so that a value read tells which write it came
// from (see credited). Writes of unknown outcome whose value could have
// come from elsewhere are checked the slow way: the verdict is the same.
func Check(history []Op, timeout time.Duration) Result {
	start := time.Now()
	var res Result
	raw := map[string][]Op{}
	for _, op := range history {
		raw[op.Input.Key] = append(raw[op.Input.Key], op)
	}
	byKey := map[string][]porcupine.Operation{}
	for key, ops := range raw {
		prepared, unknown := prepare(ops)
		res.Ops += len(prepared)
		res.Unknown += unknown
		byKey[key] = prepared
	}
	res.Keys = len(byKey)

	var mu sync.Mutex
	var wg sync.WaitGroup
	stop := &atomic.Bool{}
	model := newModel(stop)
	for key, ops := range byKey {
		wg.Go(func() {
			verdict := porcupine.CheckOperationsTimeout(model, ops, timeout)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case stop.Load():
				// abandoned: a violation was found elsewhere
			case verdict == porcupine.Illegal:
				stop.Store(true)
				res.Bad = append(res.Bad, key)
				res.bad = append(res.bad, ops...)
			case verdict == porcupine.Unknown:
				res.Slow = append(res.Slow, key)
			}
		})
	}
	wg.Wait()
	stop.Store(true) // porcupine leaves searches that timed out to wind down: end them now
	slices.Sort(res.Bad)
	slices.Sort(res.Slow)
	switch {
	case len(res.Bad) > 0:
		res.Verdict = Violation
	case len(res.Slow) > 0:
		res.Verdict = NotVerified
	default:
		res.Verdict = Linearizable
	}
	res.Elapsed = time.Since(start)
	return res
}

// Window is a stretch of the history to mark in a visualization, such as
// the time a fault was active. Start and End use the recorder's clock.
type Window struct {
	Start, End int64
	Label      string
}

// Visualize writes porcupine's HTML view of the keys with a violation,
// with windows marked on a track of their own. It gives up after timeout.
func (r Result) Visualize(w io.Writer, windows []Window, timeout time.Duration) error {
	if len(r.bad) == 0 {
		return fmt.Errorf("check: no violation to show")
	}
	model := newModel(&atomic.Bool{})
	_, info := porcupine.CheckOperationsVerbose(model, r.bad, timeout)
	notes := make([]porcupine.Annotation, 0, len(windows))
	for _, win := range windows {
		notes = append(notes, porcupine.Annotation{Tag: "faults", Start: win.Start, End: win.End,
			Description: win.Label, BackgroundColor: "#f6d5d5"})
	}
	info.AddAnnotations(notes)
	return porcupine.Visualize(model, info, w)
}
