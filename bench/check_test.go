package bench

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gryadka/gryadka/kv"
	"github.com/gryadka/gryadka/paxos"
)

func TestVerify_ComparesEachKeyWithItsExpectation(t *testing.T) {
	s := memStores(t, 1, nil)[0]
	ctx := context.Background()
	for range 3 {
		if _, err := s.Incr(ctx, "three", 1); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Set(ctx, "text", "hello"); err != nil {
		t.Fatal(err)
	}
	tests := map[string]struct {
		expect  Expectation
		problem string // "" when the check must pass
	}{
		"exact":                   {expect: Expectation{Key: "three", Min: 3, Max: 3}},
		"within unknown range":    {expect: Expectation{Key: "three", Min: 2, Max: 4}},
		"never written is zero":   {expect: Expectation{Key: "absent", Min: 0, Max: 0}},
		"lost increment":          {expect: Expectation{Key: "three", Min: 4, Max: 4}, problem: "three holds 3, but 4 increments were acknowledged"},
		"extra increment":         {expect: Expectation{Key: "three", Min: 1, Max: 2}, problem: "1 more may have been applied"},
		"not a counter":           {expect: Expectation{Key: "text", Min: 0, Max: 0}, problem: "not an integer"},
		"absent but acknowledged": {expect: Expectation{Key: "absent", Min: 1, Max: 1}, problem: "absent holds 0"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			c := Verify(ctx, s, []Expectation{tt.expect}, time.Second)
			if want, have := 1, c.Keys; want != have {
				t.Errorf("keys: want %d, have %d", want, have)
			}
			if tt.problem == "" {
				if !c.OK() {
					t.Errorf("want the check to pass, have %v", c.Problems)
				}
				return
			}
			if c.OK() || !strings.Contains(c.Problems[0], tt.problem) {
				t.Errorf("want a problem saying %q, have %v", tt.problem, c.Problems)
			}
		})
	}
}

func TestVerify_ReportsAKeyItCannotRead(t *testing.T) {
	p, err := paxos.NewProposer(paxos.Options{ID: "p1", Config: paxos.Majority(down{"a1"}, down{"a2"}, down{"a3"})})
	if err != nil {
		t.Fatal(err)
	}
	c := Verify(context.Background(), kv.New(p), []Expectation{{Key: "k"}}, time.Second)
	if c.OK() || !strings.Contains(c.Problems[0], "could not be read back") {
		t.Errorf("want a problem saying the key could not be read, have %v", c.Problems)
	}
}

// down is an acceptor that never answers.
type down struct{ name string }

func (d down) Name() string { return d.name }

func (d down) Prepare(context.Context, string, paxos.Ballot) (paxos.Promise, error) {
	return paxos.Promise{}, errors.New("connection refused")
}

func (d down) Accept(context.Context, string, paxos.Ballot, []byte, paxos.Ballot) error {
	return errors.New("connection refused")
}

func TestErrorKind_AndDefinite(t *testing.T) {
	tests := map[string]struct {
		err      error
		kind     string
		definite bool
	}{
		"unknown outcome":    {err: fmt.Errorf("incr k: %w", kv.ErrUnknownOutcome), kind: KindUnknown},
		"indefinite change":  {err: &paxos.ChangeError{Key: "k", Phase: paxos.PhaseAccept, Indefinite: true, Err: paxos.ErrNoQuorum}, kind: KindUnknown},
		"definite no quorum": {err: &paxos.ChangeError{Key: "k", Phase: paxos.PhasePrepare, Err: paxos.ErrNoQuorum}, kind: KindNoQuorum, definite: true},
		"conflict":           {err: fmt.Errorf("%w (3 attempts)", kv.ErrConflict), kind: KindConflict, definite: true},
		"cas mismatch":       {err: &kv.MismatchError{Expected: 1, Current: 2}, kind: KindMismatch, definite: true},
		"queued too long":    {err: &paxos.ChangeError{Key: "k", Phase: paxos.PhasePrepare, Err: context.DeadlineExceeded}, kind: KindTimeout, definite: true},
		"not an integer":     {err: kv.ErrNotInteger, kind: KindRefused, definite: true},
		"anything else":      {err: errors.New("broken pipe"), kind: KindOther},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			if want, have := tt.kind, ErrorKind(tt.err); want != have {
				t.Errorf("kind: want %s, have %s", want, have)
			}
			if want, have := tt.definite, Definite(tt.err); want != have {
				t.Errorf("definite: want %v, have %v", want, have)
			}
		})
	}
}
