package gc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"

	"github.com/gryadka/gryadka/paxos"
)

// replicate is step 1: a round whose prepare and accept every acceptor
// must acknowledge, writing the tombstone back unchanged under a fresh
// ballot. It returns that ballot, or the state when it is no tombstone
// (then nothing was written).
func (c *Collector) replicate(ctx context.Context, key string) (paxos.Ballot, []byte, error) {
	const attempts = 3 // conflicts with a live proposer: fast-forward, retry
	var err error
	for range attempts {
		b, ok := c.nextBallot()
		if !ok {
			return paxos.Ballot{}, nil, paxos.ErrBallotsExhausted
		}
		var promises map[string]paxos.Promise
		promises, err = c.prepare(ctx, key, b)
		if err != nil {
			continue
		}
		var top paxos.Promise
		for _, p := range promises {
			if top.Accepted.Less(p.Accepted) {
				top = p
			}
		}
		if !c.cfg.IsTombstone(top.Value) {
			return paxos.Ballot{}, bytes.Clone(top.Value), nil
		}
		errs := c.each(ctx, func(ctx context.Context, a Acceptor) error {
			return a.Accept(ctx, key, b, top.Value, paxos.Ballot{})
		})
		if err = c.joinErrors("accept", errs); err == nil {
			return b, nil, nil
		}
	}
	return paxos.Ballot{}, nil, err
}

func (c *Collector) prepare(ctx context.Context, key string, b paxos.Ballot) (map[string]paxos.Promise, error) {
	var mu sync.Mutex
	promises := map[string]paxos.Promise{}
	errs := c.each(ctx, func(ctx context.Context, a Acceptor) error {
		p, err := a.Prepare(ctx, key, b)
		if err == nil {
			mu.Lock()
			promises[a.Name()] = p
			mu.Unlock()
		}
		return err
	})
	return promises, c.joinErrors("prepare", errs)
}

// fence is step 3: raise every proposer's age, then every acceptor's
// minimum, so messages sent before are refused.
func (c *Collector) fence(ctx context.Context) ([]Age, error) {
	ages, err := c.cfg.Proposers.RaiseAge(ctx)
	if err != nil {
		return nil, err
	}
	errs := c.each(ctx, func(ctx context.Context, a Acceptor) error {
		for _, age := range ages {
			if err := a.RaiseMinAge(ctx, age.Proposer, age.Age); err != nil {
				return err
			}
		}
		return nil
	})
	return ages, c.joinErrors("raising the minimum ages", errs)
}

// remove is step 4, node by node in configuration order. It returns the
// nodes the key is gone from.
func (c *Collector) remove(ctx context.Context, key string, b paxos.Ballot) ([]string, error) {
	var removed, inUse []string
	var errs []error
	for _, a := range c.cfg.Acceptors {
		if c.beforeRemove != nil {
			c.beforeRemove(a.Name())
		}
		rctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
		gone, err := a.Remove(rctx, key, b)
		cancel()
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("%w: %s: %w", ErrUnreachable, a.Name(), err))
		case gone:
			removed = append(removed, a.Name())
		default:
			inUse = append(inUse, a.Name())
		}
	}
	if len(inUse) > 0 {
		errs = append(errs, fmt.Errorf("%w: %s prepared or wrote it after the tombstone %s", ErrInUse, strings.Join(inUse, ", "), b))
	}
	return removed, errors.Join(errs...)
}

// each runs fn on every acceptor at once, each call bounded by Timeout,
// and returns the errors by acceptor name.
func (c *Collector) each(ctx context.Context, fn func(context.Context, Acceptor) error) map[string]error {
	var mu sync.Mutex
	errs := map[string]error{}
	var wg sync.WaitGroup
	for _, a := range c.cfg.Acceptors {
		wg.Go(func() {
			actx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
			defer cancel()
			if err := fn(actx, a); err != nil {
				mu.Lock()
				errs[a.Name()] = err
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return errs
}

// joinErrors turns the failed calls of a phase into one error; a conflict
// moves the collector's counter past the ballot it met.
func (c *Collector) joinErrors(phase string, errs map[string]error) error {
	if len(errs) == 0 {
		return nil
	}
	names := slices.Sorted(func(yield func(string) bool) {
		for n := range errs {
			if !yield(n) {
				return
			}
		}
	})
	var all []error
	for _, n := range names {
		err := errs[n]
		var ce *paxos.ConflictError
		if errors.As(err, &ce) {
			c.fastForward(ce.Seen)
			all = append(all, fmt.Errorf("%s: %s conflicts with ballot %s: %w", phase, n, ce.Seen, ErrInUse))
			continue
		}
		all = append(all, fmt.Errorf("%w: %s %s: %w", ErrUnreachable, phase, n, err))
	}
	return errors.Join(all...)
}

func (c *Collector) nextBallot() (paxos.Ballot, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.counter == math.MaxUint64 {
		return paxos.Ballot{}, false
	}
	c.counter++
	return paxos.Ballot{Counter: c.counter, Proposer: c.id}, true
}

func (c *Collector) fastForward(seen paxos.Ballot) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.counter = max(c.counter, seen.Counter)
}

func (c *Collector) names() []string {
	names := make([]string, len(c.cfg.Acceptors))
	for i, a := range c.cfg.Acceptors {
		names[i] = a.Name()
	}
	return names
}

func (c *Collector) emit(e StepEvent) {
	if c.cfg.Tracer == nil || !c.cfg.Tracer.Enabled() {
		return
	}
	e.At, e.Collector = c.cfg.Now(), c.id
	c.cfg.Tracer.Trace(e)
}
