package bench

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gryadka/gryadka/paxos"
)

// measureRef adds the reference lines of opts.RefClients clients to f.
func (f *Floor) measureRef(ctx context.Context, nodes []FloorNode, opts FloorOptions) error {
	f.RefClients = opts.RefClients
	var err error
	if f.RefOpsPerSec, err = pingThroughput(ctx, nodes, opts.RefClients, opts.Duration); err != nil {
		return err
	}
	if opts.Key == "" {
		return nil
	}
	f.RefWritesPerSec, err = quorumWrites(ctx, nodes, opts)
	return err
}

// quorumWrites runs opts.RefClients clients for opts.Duration, each
// writing its own key: an accept to every node at once, done when
// opts.Quorum nodes answered. It returns the writes done per second. A
// refusal is an answer: a late accept of a client may arrive after its
// next one and be refused, which cost the node the same work.
func quorumWrites(ctx context.Context, nodes []FloorNode, opts FloorOptions) (float64, error) {
	var done atomic.Uint64
	var failed atomic.Pointer[error]
	var clients, stragglers sync.WaitGroup
	start := time.Now()
	deadline := start.Add(opts.Duration)
	for c := range opts.RefClients {
		key := opts.Key + "-ref" + strconv.Itoa(c+1)
		clients.Go(func() {
			for counter := uint64(1); time.Now().Before(deadline) && ctx.Err() == nil; counter++ {
				b := paxos.Ballot{Counter: counter, Proposer: floorProposer}
				if err := quorumWrite(ctx, nodes, opts.Quorum, key, b, &stragglers); err != nil {
					failed.CompareAndSwap(nil, &err)
					return
				}
				done.Add(1)
			}
		})
	}
	clients.Wait()
	elapsed := time.Since(start)
	stragglers.Wait()
	if err := failed.Load(); err != nil {
		return 0, fmt.Errorf("bench: floor: %w", *err)
	}
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("bench: floor: %w", err)
	}
	return float64(done.Load()) / elapsed.Seconds(), nil
}

// quorumWrite sends one accept of key under b to every node and returns
// once quorum of them answered; the others finish in the background,
// counted by stragglers.
func quorumWrite(ctx context.Context, nodes []FloorNode, quorum int, key string, b paxos.Ballot, stragglers *sync.WaitGroup) error {
	replies := make(chan error, len(nodes))
	for _, n := range nodes {
		stragglers.Go(func() {
			err := n.Accept(ctx, key+"-"+n.Name(), b, []byte("floor"), paxos.Ballot{})
			if paxos.IsConflict(err) {
				err = nil
			}
			replies <- err
		})
	}
	for answered := 0; answered < quorum; answered++ {
		if err := <-replies; err != nil {
			return err
		}
	}
	return nil
}
