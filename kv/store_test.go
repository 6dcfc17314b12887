package kv

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/gryadka/gryadka/paxos"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// newProposer returns a proposer over acceptors with majority quorums.
func newProposer(tb testing.TB, id string, oneRTT bool, acceptors ...paxos.Acceptor) *paxos.Proposer {
	tb.Helper()
	p, err := paxos.NewProposer(paxos.Options{ID: id, Config: paxos.Majority(acceptors...), OneRTT: oneRTT})
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

func memAcceptors(n int) []paxos.Acceptor {
	out := make([]paxos.Acceptor, n)
	for i := range out {
		out[i] = paxos.NewMemAcceptor("a" + string(rune('1'+i)))
	}
	return out
}

func newStore(t *testing.T, opts ...Option) (*Store, *paxos.Proposer) {
	p := newProposer(t, "p1", true, memAcceptors(3)...)
	return New(p, opts...), p
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// check fails t unless have is want and err matches wantErr (nil: no error).
func check(t *testing.T, what string, want, have Entry, wantErr, err error) {
	t.Helper()
	if wantErr == nil && err != nil || wantErr != nil && !errors.Is(err, wantErr) {
		t.Fatalf("%s: want error %v, have %v", what, wantErr, err)
	}
	if !reflect.DeepEqual(want, have) {
		t.Fatalf("%s: want %v, have %v", what, want, have)
	}
}

func TestStore_VersionsAndTombstones(t *testing.T) {
	s, _ := newStore(t)
	ctx := ctxT(t)

	e, err := s.Get(ctx, "k")
	check(t, "get absent", Entry{}, e, ErrNotFound, err)
	e, err = s.Delete(ctx, "k")
	check(t, "del absent", Entry{}, e, ErrNotFound, err)
	e, err = s.Set(ctx, "k", "a")
	check(t, "set", Entry{Version: 1, Value: "a"}, e, nil, err)
	e, err = s.Get(ctx, "k")
	check(t, "get keeps the version", Entry{Version: 1, Value: "a"}, e, nil, err)
	e, err = s.Set(ctx, "k", []any{1, "b"})
	check(t, "set bumps", Entry{Version: 2, Value: []any{int64(1), "b"}}, e, nil, err)
	e, err = s.Delete(ctx, "k")
	check(t, "del", Entry{Version: 3, Deleted: true}, e, nil, err)
	e, err = s.Get(ctx, "k")
	check(t, "get tombstone", Entry{Version: 3, Deleted: true}, e, ErrNotFound, err)
	e, err = s.Delete(ctx, "k")
	check(t, "del tombstone", Entry{Version: 3, Deleted: true}, e, ErrNotFound, err)
	e, err = s.CAS(ctx, "k", 0, "stale")
	check(t, "cas 0 on tombstone", Entry{Version: 3, Deleted: true}, e, ErrVersionMismatch, err)
	e, err = s.CAS(ctx, "k", 3, "back")
	check(t, "cas on tombstone", Entry{Version: 4, Value: "back"}, e, nil, err)
}

func TestStore_CAS(t *testing.T) {
	s, _ := newStore(t)
	ctx := ctxT(t)
	e, err := s.CAS(ctx, "k", 0, int64(1))
	check(t, "create", Entry{Version: 1, Value: int64(1)}, e, nil, err)
	e, err = s.CAS(ctx, "k", 5, int64(2))
	check(t, "mismatch", Entry{Version: 1, Value: int64(1)}, e, ErrVersionMismatch, err)
	var me *MismatchError
	if !errors.As(err, &me) || me.Current != 1 || me.Expected != 5 {
		t.Fatalf("want a MismatchError expected 5 current 1, have %v", err)
	}
	if want, have := "cas k: version mismatch: expected version 5, the key is at version 1", err.Error(); want != have {
		t.Errorf("want %q, have %q", want, have)
	}
	e, err = s.CAS(ctx, "k", 1, int64(2))
	check(t, "match", Entry{Version: 2, Value: int64(2)}, e, nil, err)
}

func TestStore_Incr(t *testing.T) {
	s, _ := newStore(t)
	ctx := ctxT(t)
	e, err := s.Incr(ctx, "n", 1)
	check(t, "from absent", Entry{Version: 1, Value: int64(1)}, e, nil, err)
	e, err = s.Incr(ctx, "n", -5)
	check(t, "negative", Entry{Version: 2, Value: int64(-4)}, e, nil, err)
	if _, err := s.Set(ctx, "s", "text"); err != nil {
		t.Fatal(err)
	}
	e, err = s.Incr(ctx, "s", 1)
	check(t, "string", Entry{Version: 1, Value: "text"}, e, ErrNotInteger, err)
	if want, have := `incr s: not an integer: the value is "text" (version 1)`, err.Error(); want != have {
		t.Errorf("want %q, have %q", want, have)
	}
	if _, err := s.Set(ctx, "big", int64(1<<62)); err != nil {
		t.Fatal(err)
	}
	_, err = s.Incr(ctx, "big", 1<<62)
	if !errors.Is(err, ErrNotInteger) || !strings.Contains(err.Error(), "overflows") {
		t.Errorf("want an overflow refusal, have %v", err)
	}
}

func TestStore_Change(t *testing.T) {
	s, _ := newStore(t)
	ctx := ctxT(t)
	const inc = "x == nil ? 1 : x + 1"
	e, err := s.Change(ctx, "k", inc)
	check(t, "absent", Entry{Version: 1, Value: int64(1)}, e, nil, err)
	e, err = s.Change(ctx, "k", inc)
	check(t, "again", Entry{Version: 2, Value: int64(2)}, e, nil, err)
	e, err = s.Change(ctx, "k", `x + "a"`)
	check(t, "runtime error", Entry{Version: 2, Value: int64(2)}, e, ErrExpressionFailed, err)
	e, err = s.Change(ctx, "k", "nil")
	check(t, "nil deletes", Entry{Version: 3, Deleted: true}, e, nil, err)
	e, err = s.Change(ctx, "k", "nil")
	check(t, "nil on tombstone", Entry{Version: 3, Deleted: true}, e, nil, err)
	_, err = s.Change(ctx, "k", "x +")
	if !errors.Is(err, ErrBadExpression) || !strings.HasPrefix(err.Error(), "change k: bad expression: ") {
		t.Errorf("want a compile error for change k, have %v", err)
	}
}

func TestStore_RefusesBadValues(t *testing.T) {
	s, _ := newStore(t, WithExprLimits(ExprLimits{MaxNodes: 50, MemoryBudget: 1000, MaxValueSize: 100, Timeout: time.Second}))
	ctx := ctxT(t)
	tests := map[string]any{
		"null":      nil,
		"too large": strings.Repeat("a", 200),
		"channel":   make(chan int),
	}
	for name, v := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := s.Set(ctx, "k", v)
			if !errors.Is(err, ErrBadValue) {
				t.Errorf("want ErrBadValue, have %v", err)
			}
		})
	}
	if want, have := uint64(0), s.Stats().Attempts; want != have {
		t.Errorf("want %d rounds for refused values, have %d", want, have)
	}
	if _, err := s.Get(ctx, "k"); !errors.Is(err, ErrNotFound) {
		t.Errorf("want nothing stored, have %v", err)
	}
}

func TestStore_CorruptStateIsKept(t *testing.T) {
	s, p := newStore(t)
	ctx := ctxT(t)
	foreign := []byte("not json")
	if _, err := p.Change(ctx, "k", func([]byte) ([]byte, error) { return foreign, nil }); err != nil {
		t.Fatal(err)
	}
	for name, op := range map[string]func() (Entry, error){
		"get":  func() (Entry, error) { return s.Get(ctx, "k") },
		"set":  func() (Entry, error) { return s.Set(ctx, "k", 1) },
		"incr": func() (Entry, error) { return s.Incr(ctx, "k", 1) },
	} {
		if _, err := op(); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: want ErrCorrupt, have %v", name, err)
		}
	}
	have, err := p.Change(ctx, "k", func(b []byte) ([]byte, error) { return b, nil })
	if err != nil || string(have) != string(foreign) {
		t.Errorf("want %q left alone, have %q (%v)", foreign, have, err)
	}
}

// Concurrent CAS calls on one version through one proposer share rounds
// (group commit), yet exactly one of them wins.
func TestStore_ConcurrentCASOneWinner(t *testing.T) {
	s, _ := newStore(t)
	ctx := ctxT(t)
	const n = 16
	errs := make(chan error, n)
	for i := range n {
		go func() {
			_, err := s.CAS(ctx, "k", 0, int64(i))
			errs <- err
		}()
	}
	won := 0
	for range n {
		err := <-errs
		var me *MismatchError
		switch {
		case err == nil:
			won++
		case errors.As(err, &me) && me.Current == 1:
		default:
			t.Errorf("want success or a mismatch at version 1, have %v", err)
		}
	}
	if won != 1 {
		t.Errorf("want 1 winner, have %d", won)
	}
}
