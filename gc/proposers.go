package gc

import (
	"context"

	"github.com/gryadka/gryadka/paxos"
)

// Age is a proposer's age after the collector raised it. Proposer is the
// proposer part of its ballots ("p1.1f3a9c02"), the name acceptors keep
// the minimum age under.
type Age struct {
	Proposer string `json:"proposer"`
	Age      uint64 `json:"age"`
}

// Proposers is every proposer that may write the cluster's keys, as steps
// 2 and 3 of a collection need them. Both methods must reach all of them,
// or fail. The nodes' ballot floor already stops a proposer left out from
// writing under an older ballot (see the package doc); reaching every
// proposer keeps the fence in depth and spares each a conflict round trip.
type Proposers interface {
	// Invalidate makes every proposer drop its cached state of key and
	// move its ballot counter past tombstone.
	Invalidate(ctx context.Context, key string, tombstone paxos.Ballot) error
	// RaiseAge adds one to every proposer's age and returns the new ages.
	RaiseAge(ctx context.Context) ([]Age, error)
}

// Local is Proposers over proposers running in this process.
type Local []*paxos.Proposer

var _ Proposers = Local(nil)

// Invalidate implements Proposers.
func (l Local) Invalidate(_ context.Context, key string, tombstone paxos.Ballot) error {
	for _, p := range l {
		p.Invalidate(key, tombstone)
	}
	return nil
}

// RaiseAge implements Proposers.
func (l Local) RaiseAge(context.Context) ([]Age, error) {
	ages := make([]Age, len(l))
	for i, p := range l {
		ages[i] = Age{Proposer: p.ID(), Age: p.RaiseAge()}
	}
	return ages, nil
}
