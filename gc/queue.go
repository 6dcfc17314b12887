package gc

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/gryadka/gryadka/paxos"
)

// Scanner is a node whose keys can be listed and read; the collector's
// Tombstones uses it to find tombstones. *cluster.RedisAcceptor implements it.
type Scanner interface {
	Keys(ctx context.Context, match string, count int) ([]string, error)
	State(ctx context.Context, key string) (paxos.MemState, error)
}

// Enqueue schedules key for collection once the grace delay has passed. A
// key already queued keeps its earlier turn. Delete calls it, and Scan.
func (c *Collector) Enqueue(key string) {
	c.schedule(key, c.cfg.Grace, false)
}

// schedule queues key due after d; later replaces an earlier turn.
func (c *Collector) schedule(key string, d time.Duration, later bool) {
	due := c.cfg.Now().Add(d)
	c.mu.Lock()
	if have, ok := c.queue[key]; !ok || later || due.Before(have) {
		c.queue[key] = due
	}
	c.mu.Unlock()
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// Pending returns how many keys are queued, due or not, or being
// collected.
func (c *Collector) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.queue)
}

// next returns the key due first and how long until it is due.
func (c *Collector) next() (string, time.Duration, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var key string
	var due time.Time
	for k, d := range c.queue {
		if key == "" || d.Before(due) || d.Equal(due) && k < key {
			key, due = k, d
		}
	}
	return key, due.Sub(c.cfg.Now()), key != ""
}

// Run collects the queued keys as they come due, until ctx ends, and
// returns ctx's error. A key whose collection failed is queued again after
// Config.Retry; a key done or skipped leaves the queue.
func (c *Collector) Run(ctx context.Context) error {
	for {
		key, wait, ok := c.next()
		if ok && wait <= 0 {
			// The key stays queued while it is collected, so Pending
			// counts it.
			_, err := c.CollectKey(ctx, key)
			switch {
			case ctx.Err() != nil:
			case err != nil:
				c.schedule(key, c.cfg.Retry, true)
			default:
				c.mu.Lock()
				delete(c.queue, key)
				c.mu.Unlock()
			}
			continue
		}
		var timer <-chan time.Time
		var t *time.Timer
		if ok {
			t = time.NewTimer(wait)
			timer = t.C
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-c.wake:
		case <-timer:
		}
		if t != nil {
			t.Stop()
		}
	}
}

// Scan queues the keys Tombstones finds and returns how many it queued; a
// node that fails is reported, the others are still scanned.
func (c *Collector) Scan(ctx context.Context) (int, error) {
	keys, err := c.Tombstones(ctx)
	for _, k := range keys {
		c.Enqueue(k)
	}
	return len(keys), err
}

// Tombstones lists, sorted, the keys some acceptor that is a Scanner holds
// a tombstone of, enumerated with SCAN (never KEYS). A node that fails is
// reported, the others are still scanned.
func (c *Collector) Tombstones(ctx context.Context) ([]string, error) {
	found := map[string]bool{}
	var errs []error
	for _, a := range c.cfg.Acceptors {
		s, ok := a.(Scanner)
		if !ok {
			continue
		}
		keys, err := s.Keys(ctx, "", 0)
		if err != nil {
			errs = append(errs, fmt.Errorf("listing the keys of %s: %w", a.Name(), err))
			continue
		}
		for _, k := range keys {
			if found[k] {
				continue
			}
			st, err := s.State(ctx, k)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			if !st.Accepted.IsZero() && c.cfg.IsTombstone(st.Value) {
				found[k] = true
			}
		}
	}
	return slices.Sorted(maps.Keys(found)), errors.Join(errs...)
}
