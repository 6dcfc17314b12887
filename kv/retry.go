package kv

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/gryadka/gryadka/paxos"
)

// Stats counts what a Store did since it was made.
type Stats struct {
	Attempts  uint64 // rounds asked of the proposer
	Conflicts uint64 // attempts lost to a higher ballot
	Retries   uint64 // attempts that were retries of a conflict
	Unknown   uint64 // operations that ended with an unknown outcome
}

// change runs update on key through the proposer, retrying definite
// conflicts and refusals by age, and returns the committed state. A refusal by update comes
// back as its own error, with the state the round wrote back. A read
// (identity update) may also retry conflicts of unknown outcome, since
// writing back the value just read changes nothing.
func (s *Store) change(ctx context.Context, op, key string, read bool, update paxos.UpdateFunc) ([]byte, error) {
	ctx = paxos.WithLabel(ctx, op+" "+key)
	for attempt := 1; ; attempt++ {
		s.attempts.Add(1)
		state, err := s.p.Change(ctx, key, update)
		if err == nil {
			return state, nil
		}
		var refused *paxos.RefusedError
		if errors.As(err, &refused) {
			return refused.State, refused.Err
		}
		if paxos.IsConflict(err) {
			s.conflicts.Add(1)
		}
		switch {
		case read && paxos.IsIndefinite(err):
			err = definite(err)
		case paxos.IsIndefinite(err):
			s.unknown.Add(1)
			return nil, fmt.Errorf("%w: %w", ErrUnknownOutcome, err)
		}
		// A refusal by age is definite too: the garbage collector raised
		// the proposer's age while the round ran, and the retry's round
		// reads the raised age (paxos/age.go).
		if !paxos.IsConflict(err) && !paxos.IsTooOld(err) {
			return nil, err
		}
		if attempt >= s.opts.maxAttempts {
			return nil, fmt.Errorf("%w (%d attempts): %w", ErrConflict, attempt, err)
		}
		if !s.sleep(ctx, attempt) {
			return nil, fmt.Errorf("%w (%d attempts before the deadline): %w", ErrConflict, attempt, err)
		}
		s.retries.Add(1)
	}
}

// definite marks the failure of a read as definite: its accept carried the
// value the prepare quorum held, so whether or not it lands, no value
// changes.
func definite(err error) error {
	var ce *paxos.ChangeError
	if !errors.As(err, &ce) {
		return err
	}
	c := *ce
	c.Indefinite = false
	return &c
}

// sleep waits a jittered, exponentially growing delay before attempt+1,
// and reports false when ctx ends first or its deadline leaves no time.
func (s *Store) sleep(ctx context.Context, attempt int) bool {
	ceiling := s.opts.minBackoff << min(attempt-1, 30)
	if ceiling <= 0 || ceiling > s.opts.maxBackoff {
		ceiling = s.opts.maxBackoff
	}
	d := ceiling/2 + rand.N(ceiling/2+1)
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < d {
		return false
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
