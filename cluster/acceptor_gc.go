package cluster

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/redis/go-redis/v9"

	"github.com/gryadka/gryadka/paxos"
)

// The garbage collector's calls (package gc): the age fence and the
// guarded removal of a tombstoned key. Ages live in the hash "<ns>:ages",
// one field per ballot proposer ("p1.1f3a9c02"), so a proposer restarted
// under a new incarnation starts unfenced, with an empty cache. The
// removal raises the node's ballot floor, the string "<ns>:floor", which
// fences such proposers: prepare and accept refuse any ballot below it.

// ageArg is the age argument of the scripts; age 0 costs no allocation.
func ageArg(age uint64) string {
	if age == 0 {
		return "0"
	}
	return strconv.FormatUint(age, 10)
}

// ageRefusal returns the *paxos.AgeError of a reply that refused ballot b
// by age, and nil for every other reply, which decodeReply handles.
func (a *RedisAcceptor) ageRefusal(b paxos.Ballot, age uint64, reply any) error {
	arr, ok := reply.([]any)
	if !ok || len(arr) != 2 || arr[0] != replyAge {
		return nil
	}
	min, err := strconv.ParseUint(fmt.Sprint(arr[1]), 10, 64)
	if err != nil || min <= age {
		return fmt.Errorf("%s: %w: refusal by age with minimum %v for age %d", endpointLabel(a.name), ErrBadReply, arr[1], age)
	}
	return &paxos.AgeError{Acceptor: a.name, Proposer: b.Proposer, Age: age, MinAge: min}
}

// RaiseMinAge makes the node refuse the messages of proposer (a ballot's
// proposer part) whose age is below age: the garbage collector's fence. A
// lower age than the one held changes nothing, so repeating it is harmless.
func (a *RedisAcceptor) RaiseMinAge(ctx context.Context, proposer string, age uint64) error {
	label := endpointLabel(a.name)
	reply, err := minAgeScript.Run(ctx, a.rdb, []string{a.agesKey, a.identityKey}, proposer, ageArg(age), a.identity).Result()
	if err != nil {
		return fmt.Errorf("%s: raising the minimum age of proposer %s: %w", label, proposer, err)
	}
	parts, err := replyStrings(reply)
	if err != nil {
		return fmt.Errorf("%s: raising the minimum age: %w: %v", label, ErrBadReply, err)
	}
	switch {
	case parts[0] == replyMinAge && len(parts) == 2:
		return nil
	case parts[0] == replyIdentity && len(parts) == 2:
		return fmt.Errorf("%s: refused to raise the minimum age: %w (it has %q)", label, ErrIdentityMismatch, parts[1])
	}
	return a.scriptError("raising the minimum age", parts)
}

// MinAge returns the minimum age the node holds for proposer, 0 when none.
func (a *RedisAcceptor) MinAge(ctx context.Context, proposer string) (uint64, error) {
	vals, err := a.rdb.HMGet(ctx, a.agesKey, proposer).Result()
	if err != nil {
		return 0, fmt.Errorf("%s: reading the minimum age of %s: %w", endpointLabel(a.name), proposer, err)
	}
	s, ok := vals[0].(string)
	if !ok {
		return 0, nil
	}
	age, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s: %w: minimum age %q of %s", endpointLabel(a.name), ErrCorruptState, s, proposer)
	}
	return age, nil
}

// Remove deletes key if the node still holds exactly what the garbage
// collector left: a value accepted under tombstone and no higher promise.
// It reports true when the key is gone (now or before) and false, changing
// nothing, when it was prepared or written since: its promise must not be
// forgotten. When the key is gone the node's ballot floor rises to
// tombstone (it never lowers): every later prepare or accept of any key
// under a lower ballot conflicts, with the floor as the ballot seen. The
// check, the delete and the floor are one script, so atomic.
func (a *RedisAcceptor) Remove(ctx context.Context, key string, tombstone paxos.Ballot) (bool, error) {
	label := endpointLabel(a.name)
	what := fmt.Sprintf("removing key %q", key)
	reply, err := removeScript.Run(ctx, a.rdb, []string{a.keyPrefix + key, a.identityKey, a.floorKey}, tombstone.Wire(), a.identity).Result()
	if err != nil {
		return false, fmt.Errorf("%s: %s: %w", label, what, err)
	}
	parts, err := replyStrings(reply)
	if err != nil {
		return false, fmt.Errorf("%s: %s: %w: %v", label, what, ErrBadReply, err)
	}
	switch {
	case (parts[0] == replyRemoved || parts[0] == replyGone) && len(parts) == 1:
		return true, nil
	case parts[0] == replyChanged && len(parts) == 3:
		return false, nil
	case parts[0] == replyIdentity && len(parts) == 2:
		return false, fmt.Errorf("%s: refused %s: %w (it has %q)", label, what, ErrIdentityMismatch, parts[1])
	}
	return false, a.scriptError(what, parts)
}

// Floor returns the node's ballot floor, the zero ballot when none: no
// prepare or accept below it passes.
func (a *RedisAcceptor) Floor(ctx context.Context) (paxos.Ballot, error) {
	w, err := a.rdb.Get(ctx, a.floorKey).Result()
	if errors.Is(err, redis.Nil) {
		return paxos.Ballot{}, nil
	}
	if err != nil {
		return paxos.Ballot{}, fmt.Errorf("%s: reading the ballot floor: %w", endpointLabel(a.name), err)
	}
	b, ok := parseWire(w)
	if !ok || b.IsZero() {
		return paxos.Ballot{}, fmt.Errorf("%s: %w: ballot floor %q", endpointLabel(a.name), ErrCorruptState, w)
	}
	return b, nil
}

// scriptError words a corrupt, badarg or unknown reply of the GC scripts.
func (a *RedisAcceptor) scriptError(what string, parts []string) error {
	label := endpointLabel(a.name)
	switch {
	case parts[0] == replyCorrupt && len(parts) == 3:
		return fmt.Errorf("%s: %s: %w: field %s: %s", label, what, ErrCorruptState, parts[1], parts[2])
	case parts[0] == replyBadArg && len(parts) == 3:
		return fmt.Errorf("%s: %s: %w: the script refused %s %q", label, what, ErrBadArgument, parts[1], parts[2])
	}
	return fmt.Errorf("%s: %s: %w: %q with %d fields", label, what, ErrBadReply, parts[0], len(parts)-1)
}
