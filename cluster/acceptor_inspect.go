package cluster

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/gryadka/gryadka/paxos"
)

// digestBatch is how many keys Digest reads per pipelined round trip.
const digestBatch = 256

// State returns what the node holds for key, for inspection: the same
// fields as paxos.MemAcceptor.State. A key never touched has the zero
// state. A state that does not parse is an error wrapping ErrCorruptState.
func (a *RedisAcceptor) State(ctx context.Context, key string) (paxos.MemState, error) {
	vals, err := a.rdb.HMGet(ctx, a.keyPrefix+key, fieldPromise, fieldAccepted, fieldValue).Result()
	if err != nil {
		return paxos.MemState{}, fmt.Errorf("%s: reading key %q: %w", endpointLabel(a.name), key, err)
	}
	return a.parseState(key, vals)
}

// parseState checks an HMGET of promise, accepted and value with the
// rules of the scripts' load_state.
func (a *RedisAcceptor) parseState(key string, vals []any) (paxos.MemState, error) {
	corrupt := func(field, detail string) (paxos.MemState, error) {
		return paxos.MemState{}, fmt.Errorf("%s: key %q: %w: field %s: %s", endpointLabel(a.name), key, ErrCorruptState, field, detail)
	}
	var s paxos.MemState
	var texts [3]string
	for i, v := range vals {
		switch v := v.(type) {
		case nil:
		case string:
			texts[i] = v
			if i == 2 {
				s.Value = []byte(v)
				if s.Value == nil {
					s.Value = []byte{}
				}
			}
		default:
			return corrupt("reply", fmt.Sprintf("unexpected %T", v))
		}
	}
	var ok bool
	if s.Promise, ok = parseWire(texts[0]); !ok {
		return corrupt(fieldPromise, texts[0])
	}
	if s.Accepted, ok = parseWire(texts[1]); !ok {
		return corrupt(fieldAccepted, texts[1])
	}
	switch {
	case s.Value != nil && s.Accepted.IsZero():
		return corrupt(fieldValue, "a value without an accepted ballot")
	case s.Promise.Less(s.Accepted):
		return corrupt(fieldPromise, fmt.Sprintf("promise %s is below accepted %s", s.Promise, s.Accepted))
	}
	return s, nil
}

// Keys returns the keys whose names match the glob pattern match ("" for
// all), sorted. With count > 0 it stops after count keys, which are then
// the first ones SCAN found, not the first in order. It walks the keyspace
// with SCAN, never KEYS, so a big node is not blocked.
func (a *RedisAcceptor) Keys(ctx context.Context, match string, count int) ([]string, error) {
	if match == "" {
		match = "*"
	}
	seen := map[string]bool{} // SCAN may return a key twice
	var keys []string
	err := a.scan(ctx, a.keyPrefix+match, func(key string) bool {
		if !seen[key] {
			seen[key] = true
			keys = append(keys, strings.TrimPrefix(key, a.keyPrefix))
		}
		return count <= 0 || len(keys) < count
	})
	if err != nil {
		return nil, err
	}
	slices.Sort(keys)
	return keys, nil
}

// Digest hashes every key's name, accepted ballot and value, in key order,
// so acceptors that agree have equal digests (as etcd's hashkv). Promises
// are left out: they differ between healthy acceptors. The keyspace is
// read with SCAN and not frozen: under load the digest is approximate.
func (a *RedisAcceptor) Digest(ctx context.Context) (string, error) {
	var names []string
	if err := a.scan(ctx, a.keyPrefix+"*", func(key string) bool {
		names = append(names, key)
		return true
	}); err != nil {
		return "", err
	}
	slices.Sort(names)
	names = slices.Compact(names) // SCAN may return a key twice
	h := sha256.New()
	put := func(s string) {
		h.Write(binary.BigEndian.AppendUint64(nil, uint64(len(s))))
		h.Write([]byte(s))
	}
	putNil := func() { h.Write(binary.BigEndian.AppendUint64(nil, math.MaxUint64)) }
	for batch := range slices.Chunk(names, digestBatch) {
		pipe := a.rdb.Pipeline()
		cmds := make([]*redis.SliceCmd, len(batch))
		for i, name := range batch {
			cmds[i] = pipe.HMGet(ctx, name, fieldAccepted, fieldValue)
		}
		if _, err := pipe.Exec(ctx); err != nil {
			return "", fmt.Errorf("%s: digest: %w", endpointLabel(a.name), err)
		}
		for i, name := range batch {
			vals := cmds[i].Val()
			put(strings.TrimPrefix(name, a.keyPrefix))
			for _, v := range vals {
				if s, ok := v.(string); ok {
					put(s)
				} else {
					putNil()
				}
			}
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

// scan calls fn for each key matching pattern until fn returns false.
func (a *RedisAcceptor) scan(ctx context.Context, pattern string, fn func(key string) bool) error {
	iter := a.rdb.Scan(ctx, 0, pattern, 512).Iterator()
	for iter.Next(ctx) {
		if !fn(iter.Val()) {
			return nil
		}
	}
	if err := iter.Err(); err != nil {
		return fmt.Errorf("%s: scanning keys: %w", endpointLabel(a.name), err)
	}
	return nil
}

// Volatile returns the keys of gryadka's namespace that carry a TTL,
// sorted. There must be none: a key that expires takes a promise with it,
// which silently breaks safety. The identity key, the minimum ages and the
// ballot floor (the garbage collector's fences) count too.
func (a *RedisAcceptor) Volatile(ctx context.Context) ([]string, error) {
	names := []string{a.identityKey, a.agesKey, a.floorKey}
	if err := a.scan(ctx, a.keyPrefix+"*", func(key string) bool {
		names = append(names, key)
		return true
	}); err != nil {
		return nil, err
	}
	slices.Sort(names)
	names = slices.Compact(names)
	var volatile []string
	for batch := range slices.Chunk(names, digestBatch) {
		pipe := a.rdb.Pipeline()
		cmds := make([]*redis.DurationCmd, len(batch))
		for i, name := range batch {
			cmds[i] = pipe.PTTL(ctx, name)
		}
		if _, err := pipe.Exec(ctx); err != nil {
			return nil, fmt.Errorf("%s: reading TTLs: %w", endpointLabel(a.name), err)
		}
		for i, name := range batch {
			if cmds[i].Val() > 0 {
				volatile = append(volatile, name)
			}
		}
	}
	return volatile, nil
}
