package gc

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/gryadka/gryadka/kv"
	"github.com/gryadka/gryadka/paxos"
)

// Errors of a collection. They come wrapped with the key, the step and the
// nodes concerned; the collector retries the key later.
var (
	// ErrUnreachable means an acceptor did not answer a step that needs
	// every acceptor: it is down, cut off or slow.
	ErrUnreachable = errors.New("gc: not every acceptor answered")

	// ErrInUse means the key was prepared or written while it was being
	// collected; it is left for a later attempt.
	ErrInUse = errors.New("gc: the key is in use again")

	// ErrBadConfig is wrapped by New for a configuration it refuses.
	ErrBadConfig = errors.New("gc: bad configuration")
)

// Acceptor is a node as the collector needs it: the protocol's calls, the
// age fence and the guarded removal. *cluster.RedisAcceptor and
// *paxos.MemAcceptor implement it.
type Acceptor interface {
	paxos.Acceptor
	RaiseMinAge(ctx context.Context, proposer string, age uint64) error
	Remove(ctx context.Context, key string, tombstone paxos.Ballot) (bool, error)
}

// AsAcceptors checks that every acceptor can be collected from. Give it the
// nodes themselves, not links through a simulated network.
func AsAcceptors(accs ...paxos.Acceptor) ([]Acceptor, error) {
	out := make([]Acceptor, len(accs))
	for i, a := range accs {
		ga, ok := a.(Acceptor)
		if !ok {
			return nil, fmt.Errorf("%w: acceptor %s (%T) cannot raise ages or remove keys", ErrBadConfig, a.Name(), a)
		}
		out[i] = ga
	}
	return out, nil
}

// Config configures New.
type Config struct {
	// Acceptors is every node of the cluster: each step needs all of them.
	Acceptors []Acceptor
	// Proposers is every proposer that writes the cluster's keys.
	Proposers Proposers
	// ID names the collector's own ballots (default "gc"); a random
	// incarnation is added, as for a proposer.
	ID string
	// IsTombstone tells a state that may be removed. Default: kv's, a nil
	// state or a kv tombstone.
	IsTombstone func(state []byte) bool
	// Grace is how long a queued key waits before its collection, so that
	// messages of the delete itself have landed (default 10s).
	Grace time.Duration
	// Retry is how long a key whose collection failed waits (default 5s).
	Retry time.Duration
	// Timeout bounds each step's calls (default 3s).
	Timeout time.Duration
	// Tracer, if not nil, receives a StepEvent per step.
	Tracer paxos.Tracer
	// Now stamps events and schedules the queue (default time.Now).
	Now func() time.Time
}

// Collector removes tombstoned keys from every acceptor. It is safe for
// concurrent use.
type Collector struct {
	cfg Config
	id  string

	mu      sync.Mutex
	counter uint64
	queue   map[string]time.Time // key → when it is due
	wake    chan struct{}

	// skip leaves steps out, for the tests that show what each one
	// prevents. beforeRemove runs before each node's removal.
	skip         map[Step]bool
	beforeRemove func(node string)
}

// New validates cfg and returns a collector.
func New(cfg Config) (*Collector, error) {
	if len(cfg.Acceptors) == 0 {
		return nil, fmt.Errorf("%w: no acceptors", ErrBadConfig)
	}
	if cfg.Proposers == nil {
		return nil, fmt.Errorf("%w: no proposers: every proposer must be invalidated and fenced", ErrBadConfig)
	}
	if cfg.ID == "" {
		cfg.ID = "gc"
	}
	if err := paxos.ValidateProposerID(cfg.ID); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadConfig, err)
	}
	if cfg.IsTombstone == nil {
		cfg.IsTombstone = isKVTombstone
	}
	if cfg.Grace <= 0 {
		cfg.Grace = 10 * time.Second
	}
	if cfg.Retry <= 0 {
		cfg.Retry = 5 * time.Second
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 3 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	var inc [4]byte
	if _, err := rand.Read(inc[:]); err != nil {
		return nil, fmt.Errorf("gc: incarnation: %w", err)
	}
	return &Collector{cfg: cfg, id: cfg.ID + "." + hex.EncodeToString(inc[:]),
		queue: map[string]time.Time{}, wake: make(chan struct{}, 1)}, nil
}

// isKVTombstone is the default IsTombstone: no value, or a kv tombstone.
func isKVTombstone(state []byte) bool {
	e, err := kv.Decode(state)
	return err == nil && !e.Live()
}

// ID returns the proposer part of the collector's ballots.
func (c *Collector) ID() string { return c.id }

// Result is how far the collection of Key went. Reached is the last step
// done; StepRemove means the key is gone from every acceptor. Skipped
// says why a key was left alone (it holds a value again).
type Result struct {
	Key       string       `json:"key"`
	Reached   Step         `json:"reached"`
	Tombstone paxos.Ballot `json:"tombstone,omitzero"`
	Removed   []string     `json:"removed,omitempty"`
	Skipped   string       `json:"skipped,omitempty"`
}

// Done reports whether the key is gone from every acceptor.
func (r Result) Done() bool { return r.Reached == StepRemove }

// CollectKey runs the four steps for key once, from the start. It returns
// the result and, when a step failed, an error naming the step; nothing
// is removed anywhere unless steps 1 to 3 reached every node and proposer.
func (c *Collector) CollectKey(ctx context.Context, key string) (Result, error) {
	res := Result{Key: key}
	b, state, err := c.replicate(ctx, key)
	if err != nil || state != nil {
		res.Skipped = skipped(state)
		c.emit(StepEvent{Key: key, Step: StepReplicate, Skipped: res.Skipped, Err: errText(err)})
		return res, stepError(key, StepReplicate, err)
	}
	res.Reached, res.Tombstone = StepReplicate, b
	c.emit(StepEvent{Key: key, Step: StepReplicate, Tombstone: b, OK: true, Nodes: c.names()})
	if !c.skip[StepInvalidate] {
		if err := c.cfg.Proposers.Invalidate(ctx, key, b); err != nil {
			c.emit(StepEvent{Key: key, Step: StepInvalidate, Tombstone: b, Err: err.Error()})
			return res, stepError(key, StepInvalidate, err)
		}
	}
	res.Reached = StepInvalidate
	c.emit(StepEvent{Key: key, Step: StepInvalidate, Tombstone: b, OK: true})
	if !c.skip[StepFence] {
		ages, err := c.fence(ctx)
		if err != nil {
			c.emit(StepEvent{Key: key, Step: StepFence, Tombstone: b, Err: err.Error()})
			return res, stepError(key, StepFence, err)
		}
		c.emit(StepEvent{Key: key, Step: StepFence, Tombstone: b, OK: true, Ages: ages, Nodes: c.names()})
	}
	res.Reached = StepFence
	removed, err := c.remove(ctx, key, b)
	res.Removed = removed
	if err != nil {
		c.emit(StepEvent{Key: key, Step: StepRemove, Tombstone: b, Err: err.Error(), Nodes: removed})
		return res, stepError(key, StepRemove, err)
	}
	res.Reached = StepRemove
	c.emit(StepEvent{Key: key, Step: StepRemove, Tombstone: b, OK: true, Nodes: removed})
	return res, nil
}

// skipped words why replicate left a key alone: it holds a value. The
// value itself is left out, since it may be large or private.
func skipped(state []byte) string {
	if state == nil {
		return ""
	}
	return "the key holds a value"
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func stepError(key string, s Step, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("gc: key %q, step %s: %w", key, s, err)
}
