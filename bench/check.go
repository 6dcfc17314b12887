package bench

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gryadka/gryadka/kv"
	"github.com/gryadka/gryadka/paxos"
)

// Expectation is what a key must hold after a run: at least its
// acknowledged increments (Min), and at most those plus the increments
// whose outcome is unknown (Max).
type Expectation struct {
	Key      string
	Min, Max int64
}

// Check is the verdict of Verify.
type Check struct {
	// Keys is how many keys were read back.
	Keys int
	// Problems lists, in words, every key that does not hold what it
	// should or could not be read. None means the check passed.
	Problems []string
}

// OK reports whether every key holds what it should.
func (c Check) OK() bool { return len(c.Problems) == 0 }

// Verify reads every key of expect through s and compares it with its
// expectation. Each read gets at most timeout.
func Verify(ctx context.Context, s *kv.Store, expect []Expectation, timeout time.Duration) Check {
	c := Check{Keys: len(expect)}
	for _, e := range expect {
		rctx, cancel := context.WithTimeout(ctx, timeout)
		entry, err := s.Get(rctx, e.Key)
		cancel()
		if err != nil && !errors.Is(err, kv.ErrNotFound) {
			c.Problems = append(c.Problems, fmt.Sprintf("%s could not be read back: %v", e.Key, err))
			continue
		}
		n, err := counterValue(entry)
		if err != nil {
			c.Problems = append(c.Problems, fmt.Sprintf("%s: %v", e.Key, err))
			continue
		}
		switch {
		case e.Min == e.Max && n != e.Min:
			c.Problems = append(c.Problems, fmt.Sprintf("%s holds %d, but %d increments were acknowledged", e.Key, n, e.Min))
		case n < e.Min || n > e.Max:
			c.Problems = append(c.Problems, fmt.Sprintf("%s holds %d, but %d increments were acknowledged and %d more may have been applied",
				e.Key, n, e.Min, e.Max-e.Min))
		}
	}
	return c
}

// Definite reports whether an operation that failed with err surely
// changed nothing. Errors it does not recognise count as unknown, so a
// check never blames the cluster for an increment it may have applied.
func Definite(err error) bool {
	if errors.Is(err, kv.ErrUnknownOutcome) || paxos.IsIndefinite(err) {
		return false
	}
	for _, sure := range []error{kv.ErrConflict, kv.ErrVersionMismatch, kv.ErrNotInteger, kv.ErrCorrupt, kv.ErrBadValue} {
		if errors.Is(err, sure) {
			return true
		}
	}
	var ce *paxos.ChangeError
	return errors.As(err, &ce) && !ce.Indefinite
}

// The kinds of error a report counts.
const (
	KindUnknown  = "unknown_outcome" // the change may or may not have been applied
	KindConflict = "conflict"        // other proposers kept winning until the retries ran out
	KindMismatch = "cas_mismatch"    // rmw: the key kept changing between read and write
	KindNoQuorum = "no_quorum"       // too few acceptors answered
	KindTimeout  = "timeout"         // the operation ran out of time
	KindRefused  = "refused"         // the value is not an integer
	KindOther    = "other"
)

// ErrorKind names the kind of err, one of the Kind constants.
func ErrorKind(err error) string {
	switch {
	case errors.Is(err, kv.ErrUnknownOutcome) || paxos.IsIndefinite(err):
		return KindUnknown
	case errors.Is(err, kv.ErrConflict):
		return KindConflict
	case errors.Is(err, kv.ErrVersionMismatch):
		return KindMismatch
	case errors.Is(err, paxos.ErrNoQuorum):
		return KindNoQuorum
	case errors.Is(err, context.DeadlineExceeded):
		return KindTimeout
	case errors.Is(err, kv.ErrNotInteger) || errors.Is(err, kv.ErrCorrupt):
		return KindRefused
	}
	return KindOther
}
