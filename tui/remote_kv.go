package tui

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/gryadka/gryadka/kv"
	"github.com/gryadka/gryadka/serve"
)

// RemoteKV is the key-value API of a `gryadka serve` proposer, with the
// answers and errors of a kv.Store: a read of an absent or deleted key
// fails with kv.ErrNotFound, a failed CAS with a *kv.MismatchError, both
// inside a *kv.OpError that carries the key's state.
type RemoteKV struct{ C *serve.Client }

var _ KV = RemoteKV{}

// Get implements KV.
func (r RemoteKV) Get(ctx context.Context, key string) (kv.Entry, error) {
	v, err := r.C.Get(ctx, key)
	if err != nil {
		return kv.Entry{}, kvError("get", key, 0, err)
	}
	e, err := entry(v)
	if err == nil && !e.Live() {
		err = &kv.OpError{Op: "get", Key: key, Entry: e, Err: kv.ErrNotFound}
	}
	return e, err
}

// Set implements KV.
func (r RemoteKV) Set(ctx context.Context, key string, value any) (kv.Entry, error) {
	return answer("set", key, 0)(r.C.Set(ctx, key, value))
}

// CAS implements KV.
func (r RemoteKV) CAS(ctx context.Context, key string, version uint64, value any) (kv.Entry, error) {
	return answer("cas", key, version)(r.C.CAS(ctx, key, version, value))
}

// Incr implements KV.
func (r RemoteKV) Incr(ctx context.Context, key string, delta int64) (kv.Entry, error) {
	return answer("incr", key, 0)(r.C.Incr(ctx, key, delta))
}

// Delete implements KV.
func (r RemoteKV) Delete(ctx context.Context, key string) (kv.Entry, error) {
	return answer("del", key, 0)(r.C.Delete(ctx, key))
}

// Change implements KV.
func (r RemoteKV) Change(ctx context.Context, key, src string) (kv.Entry, error) {
	return answer("change", key, 0)(r.C.Change(ctx, key, src))
}

// answer turns a server's answer into an entry and a kv error.
func answer(op, key string, version uint64) func(serve.Value, error) (kv.Entry, error) {
	return func(v serve.Value, err error) (kv.Entry, error) {
		if err != nil {
			return kv.Entry{}, kvError(op, key, version, err)
		}
		return entry(v)
	}
}

// entry converts a server's Value to a kv.Entry.
func entry(v serve.Value) (kv.Entry, error) {
	e := kv.Entry{Version: v.Version, Deleted: v.Deleted}
	if len(v.Value) == 0 || v.Deleted {
		return e, nil
	}
	val, err := kv.Normalize(json.RawMessage(v.Value))
	if err != nil {
		return kv.Entry{}, err
	}
	e.Value = val
	return e, nil
}

// kvError gives a refusal of the server the shape of kv.Store's: a
// version mismatch or a missing key becomes a *kv.OpError with the key's
// state; other errors already match the kv and paxos sentinels.
func kvError(op, key string, version uint64, err error) error {
	var p *serve.ProblemError
	if !errors.As(err, &p) {
		return err
	}
	var e kv.Entry
	if p.Problem.Value != nil {
		e, _ = entry(*p.Problem.Value)
	}
	switch p.Problem.Code {
	case serve.CodeVersionMismatch:
		return &kv.OpError{Op: op, Key: key, Entry: e, Err: &kv.MismatchError{Expected: version, Current: e.Version}}
	case serve.CodeNotFound:
		return &kv.OpError{Op: op, Key: key, Entry: e, Err: kv.ErrNotFound}
	}
	return err
}
