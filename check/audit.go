package check

import (
	"bytes"
	"context"
	"fmt"
	"slices"

	"github.com/gryadka/gryadka/paxos"
)

// AcceptorState is what one acceptor holds for one key.
type AcceptorState struct {
	Acceptor string
	Key      string
	State    paxos.MemState
}

// Audit returns, in words, every protocol invariant that states break: an
// acceptor's promise must be at least its accepted ballot, and acceptors
// that accepted the same ballot for a key must hold the same value.
func Audit(states []AcceptorState) []string {
	var problems []string
	type slot struct {
		key    string
		ballot paxos.Ballot
	}
	first := map[slot]AcceptorState{}
	for _, s := range states {
		if s.State.Promise.Less(s.State.Accepted) {
			problems = append(problems, fmt.Sprintf("%s: key %q: promise %s is below the accepted ballot %s",
				s.Acceptor, s.Key, s.State.Promise, s.State.Accepted))
		}
		if s.State.Accepted.IsZero() {
			continue
		}
		k := slot{s.Key, s.State.Accepted}
		if o, seen := first[k]; !seen {
			first[k] = s
		} else if !bytes.Equal(o.State.Value, s.State.Value) {
			problems = append(problems, fmt.Sprintf("key %q: ballot %s holds %q on %s but %q on %s",
				s.Key, k.ballot, o.State.Value, o.Acceptor, s.State.Value, s.Acceptor))
		}
	}
	slices.Sort(problems)
	return problems
}

// audit reads what every node holds for keys and audits it.
func (l *local) audit(ctx context.Context, keys []string) ([]string, error) {
	var states []AcceptorState
	for i, name := range l.names {
		for _, key := range keys {
			s, err := l.direct[i].State(ctx, key)
			if err != nil {
				return nil, fmt.Errorf("audit: %w", err)
			}
			states = append(states, AcceptorState{Acceptor: name, Key: key, State: s})
		}
	}
	problems := Audit(states)
	for i, name := range l.names {
		volatile, err := l.direct[i].Volatile(ctx)
		if err != nil {
			return nil, fmt.Errorf("audit: %w", err)
		}
		for _, key := range volatile {
			problems = append(problems, fmt.Sprintf("%s: %s has a TTL: it will expire and take its promise with it", name, key))
		}
	}
	return problems, nil
}
