package check

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/gryadka/gryadka/paxos"
)

var (
	errDown      = errors.New("test: acceptor is down")
	errLostReq   = errors.New("test: request lost")
	errLostReply = errors.New("test: reply lost")
)

// lossyNet injects faults between proposers and acceptors, decided by one
// seeded source: each request may be lost, delayed a little, or executed
// with its reply lost, and acceptors can be taken down and brought back
// with their state (a crash of a durable node).
type lossyNet struct {
	mu        sync.Mutex
	rng       *rand.Rand
	down      map[string]bool
	loss      float64       // probability that a request, or its reply, is lost
	maxDelay  time.Duration // requests wait up to this long
	delivered int
}

func newLossyNet(seed uint64, loss float64, maxDelay time.Duration) *lossyNet {
	return &lossyNet{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), down: map[string]bool{},
		loss: loss, maxDelay: maxDelay}
}

// fate decides what happens to one request to acceptor.
func (n *lossyNet) fate(acceptor string) (delay time.Duration, err error, lostReply bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.down[acceptor] {
		return 0, errDown, false
	}
	if n.maxDelay > 0 {
		delay = time.Duration(n.rng.Int64N(int64(n.maxDelay)))
	}
	if n.rng.Float64() < n.loss {
		return delay, errLostReq, false
	}
	n.delivered++
	return delay, nil, n.rng.Float64() < n.loss
}

// crash takes one random acceptor of names down, if none is down yet, or
// brings the down one back.
func (n *lossyNet) crash(names []string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if len(n.down) > 0 {
		clear(n.down)
		return
	}
	n.down[names[n.rng.IntN(len(names))]] = true
}

func (n *lossyNet) heal() {
	n.mu.Lock()
	defer n.mu.Unlock()
	clear(n.down)
	n.loss, n.maxDelay = 0, 0
}

// lossyAcceptor is one proposer's view of an acceptor through a lossyNet.
type lossyAcceptor struct {
	paxos.Acceptor
	net *lossyNet
}

func (a lossyAcceptor) deliver(ctx context.Context, call func() error) error {
	delay, err, lostReply := a.net.fate(a.Name())
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if err != nil {
		return err
	}
	if err := call(); err != nil || !lostReply {
		return err
	}
	return errLostReply
}

func (a lossyAcceptor) Prepare(ctx context.Context, key string, b paxos.Ballot) (paxos.Promise, error) {
	var p paxos.Promise
	err := a.deliver(ctx, func() (err error) {
		p, err = a.Acceptor.Prepare(ctx, key, b)
		return err
	})
	return p, err
}

func (a lossyAcceptor) Accept(ctx context.Context, key string, b paxos.Ballot, value []byte, next paxos.Ballot) error {
	return a.deliver(ctx, func() error { return a.Acceptor.Accept(ctx, key, b, value, next) })
}
