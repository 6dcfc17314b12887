package cluster

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/gryadka/gryadka/paxos"
)

// DialFunc connects proposer p to node n. The acceptor it returns may be
// a link through a fault network; ProposerSet closes it if it is an
// io.Closer.
type DialFunc func(ctx context.Context, p *paxos.Proposer, n FileNode) (paxos.Acceptor, error)

// ProposerSet is Proposers for the proposers of this process: Apply
// dials each node once per proposer and swaps the new configuration in
// with SetConfig. It is safe for concurrent use.
type ProposerSet struct {
	dial DialFunc

	mu        sync.Mutex
	proposers []*paxos.Proposer
	acceptors map[acceptorKey]paxos.Acceptor
}

type acceptorKey struct {
	p    *paxos.Proposer
	node string
}

var _ Proposers = (*ProposerSet)(nil)

// NewProposerSet returns a set of proposers that reach nodes with dial.
func NewProposerSet(dial DialFunc, proposers ...*paxos.Proposer) *ProposerSet {
	return &ProposerSet{dial: dial, proposers: proposers, acceptors: map[acceptorKey]paxos.Acceptor{}}
}

// Add puts p in the set; it must already use the configuration in force.
func (s *ProposerSet) Add(p *paxos.Proposer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.proposers = append(s.proposers, p)
}

// Apply implements Proposers. Every acceptor is dialled before any
// proposer changes, so a node that cannot be reached changes nothing.
func (s *ProposerSet) Apply(ctx context.Context, nodes []FileNode, cfg FileConfig) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	byName := map[string]FileNode{}
	for _, n := range nodes {
		byName[n.Name] = n
	}
	configs := make([]paxos.Config, len(s.proposers))
	for i, p := range s.proposers {
		pick := func(names []string) ([]paxos.Acceptor, error) {
			set := make([]paxos.Acceptor, len(names))
			for j, name := range names {
				a, err := s.acceptor(ctx, p, byName, name)
				if err != nil {
					return nil, err
				}
				set[j] = a
			}
			return set, nil
		}
		prepare, err := pick(cfg.Prepare)
		if err != nil {
			return err
		}
		accept, err := pick(cfg.Accept)
		if err != nil {
			return err
		}
		configs[i] = paxos.Config{Prepare: prepare, PrepareQuorum: cfg.PrepareQuorum, Accept: accept, AcceptQuorum: cfg.AcceptQuorum}
		if err := configs[i].Validate(); err != nil {
			return err
		}
	}
	for i, p := range s.proposers {
		if err := p.SetConfig(configs[i]); err != nil {
			return fmt.Errorf("cluster: configuring proposer %s: %w", p.ID(), err)
		}
	}
	return nil
}

func (s *ProposerSet) acceptor(ctx context.Context, p *paxos.Proposer, nodes map[string]FileNode, name string) (paxos.Acceptor, error) {
	k := acceptorKey{p, name}
	if a := s.acceptors[k]; a != nil {
		return a, nil
	}
	n, ok := nodes[name]
	if !ok {
		return nil, fmt.Errorf("cluster: the configuration names %s, which is not a node of the cluster", name)
	}
	a, err := s.dial(ctx, p, n)
	if err != nil {
		return nil, fmt.Errorf("cluster: connecting proposer %s to %s: %w", p.ID(), name, err)
	}
	s.acceptors[k] = a
	return a, nil
}

// Close closes the acceptors the set dialled.
func (s *ProposerSet) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []error
	for k, a := range s.acceptors {
		if c, ok := a.(io.Closer); ok {
			errs = append(errs, c.Close())
		}
		delete(s.acceptors, k)
	}
	return errors.Join(errs...)
}
