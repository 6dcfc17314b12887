package paxos

import (
	"context"
	"runtime"
	"slices"
)

// keyQueue holds the changes of one key waiting for a round. One call at a
// time leads: it runs a round for the calls at the front, then hands the
// lead to the next waiting call. Changes of one key thus never race each
// other, and a burst of them shares rounds (group commit).
type keyQueue struct {
	pending []*call
}

type call struct {
	ctx     context.Context
	update  UpdateFunc
	done    chan result
	lead    chan struct{}
	taken   bool // in a running round, or leading: no longer cancellable
	leading bool
}

type result struct {
	value []byte
	err   error
}

// enqueue adds c to key's queue and reports whether c leads.
func (p *Proposer) enqueue(key string, c *call) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	q := p.queues[key]
	if q == nil {
		q = &keyQueue{}
		p.queues[key] = q
		c.leading = true
	}
	q.pending = append(q.pending, c)
	return c.leading
}

// wait returns c's result, leading rounds when handed the lead. A call that
// gives up before its round starts fails definitely.
func (c *call) wait(p *Proposer, key string) ([]byte, error) {
	cancelled := c.ctx.Done()
	for {
		select {
		case r := <-c.done:
			return r.value, r.err
		case <-c.lead:
			p.lead(key)
		case <-cancelled:
			if p.withdraw(key, c) {
				return nil, &ChangeError{Key: key, Phase: PhasePrepare, Err: c.ctx.Err()}
			}
			cancelled = nil // already in a round: its result comes soon
		}
	}
}

func (p *Proposer) withdraw(key string, c *call) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if c.taken || c.leading {
		return false
	}
	q := p.queues[key]
	q.pending = slices.DeleteFunc(q.pending, func(o *call) bool { return o == c })
	return true
}

// lead runs one round for the calls at the front of key's queue, then hands
// the lead on, or removes the queue when it is empty.
func (p *Proposer) lead(key string) {
	// Let callers that the last round just answered queue again, so they
	// join this round instead of waiting for the next one.
	runtime.Gosched()
	p.mu.Lock()
	q := p.queues[key]
	n := min(len(q.pending), p.opts.MaxBatch)
	batch := slices.Clone(q.pending[:n])
	q.pending = q.pending[n:]
	for _, c := range batch {
		c.taken = true
	}
	p.mu.Unlock()

	results := p.round(key, batch)
	for i, c := range batch {
		c.done <- results[i]
	}

	p.mu.Lock()
	defer p.mu.Unlock()
	if len(q.pending) == 0 {
		delete(p.queues, key)
		return
	}
	next := q.pending[0]
	next.leading = true
	next.lead <- struct{}{}
}
