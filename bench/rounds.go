package bench

import (
	"context"
	"sync/atomic"

	"github.com/gryadka/gryadka/paxos"
)

// RoundCounter counts the phases proposers run by counting the messages
// their acceptors receive: a phase sends one message to every acceptor of
// its set, won or lost, and costs one round trip. It is not a tracer on
// purpose: an enabled tracer makes the proposer build every event, which
// would cost the measured changes CPU that an untraced proposer does not
// spend. Its zero value is ready; it is safe for concurrent use.
type RoundCounter struct {
	prepares, accepts           atomic.Uint64 // messages
	prepareVoters, acceptVoters atomic.Int64  // acceptors per phase
}

// Count returns cfg with every acceptor wrapped so that its messages are
// counted. Every configuration counted by one RoundCounter must have sets
// of the same sizes.
func (c *RoundCounter) Count(cfg paxos.Config) paxos.Config {
	c.prepareVoters.Store(int64(len(cfg.Prepare)))
	c.acceptVoters.Store(int64(len(cfg.Accept)))
	wrapped := map[paxos.Acceptor]paxos.Acceptor{}
	wrap := func(set []paxos.Acceptor) []paxos.Acceptor {
		out := make([]paxos.Acceptor, len(set))
		for i, a := range set {
			if wrapped[a] == nil {
				wrapped[a] = countedAcceptor{Acceptor: a, c: c}
			}
			out[i] = wrapped[a]
		}
		return out
	}
	cfg.Prepare, cfg.Accept = wrap(cfg.Prepare), wrap(cfg.Accept)
	return cfg
}

// Rounds returns the prepare and accept phases counted so far.
func (c *RoundCounter) Rounds() (prepare, accept uint64) {
	return perVoter(c.prepares.Load(), c.prepareVoters.Load()), perVoter(c.accepts.Load(), c.acceptVoters.Load())
}

func perVoter(messages uint64, voters int64) uint64 {
	if voters <= 0 {
		return 0
	}
	return messages / uint64(voters)
}

// countedAcceptor counts the messages sent to the acceptor it wraps.
type countedAcceptor struct {
	paxos.Acceptor
	c *RoundCounter
}

func (a countedAcceptor) Prepare(ctx context.Context, key string, b paxos.Ballot) (paxos.Promise, error) {
	a.c.prepares.Add(1)
	return a.Acceptor.Prepare(ctx, key, b)
}

func (a countedAcceptor) Accept(ctx context.Context, key string, b paxos.Ballot, value []byte, next paxos.Ballot) error {
	a.c.accepts.Add(1)
	return a.Acceptor.Accept(ctx, key, b, value, next)
}
