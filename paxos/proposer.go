package paxos

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
)

// UpdateFunc computes a key's new state from its current one; nil means the
// key has no state. It may refuse with an error, and then the change fails
// with a *RefusedError. It must not keep or modify state.
type UpdateFunc func(state []byte) ([]byte, error)

// Options configure a Proposer.
type Options struct {
	// ID names the proposer, unique in its cluster (see ValidateProposerID).
	ID string
	// Incarnation tells this run of the proposer from earlier runs with the
	// same ID, so a restart never reuses a ballot. Empty picks a random one.
	Incarnation string
	// Config is the initial configuration; it must pass Validate.
	Config Config
	// OneRTT enables the one-round-trip optimization.
	OneRTT bool
	// CacheSize bounds the keys whose state is cached for OneRTT (default 10000).
	CacheSize int
	// MaxBatch bounds how many queued changes of one key share a round
	// (default 64); 1 gives every change its own round.
	MaxBatch int
	// RoundTimeout bounds a round whose quorum does not answer (default 3s).
	RoundTimeout time.Duration
	// SettleTimeout is how long a lost accept phase waits for the acceptors
	// that have not answered, to learn whether all of them refused and the
	// failure is definite (default 100ms).
	SettleTimeout time.Duration
	// Tracer, if not nil, receives every step.
	Tracer Tracer
	// Now stamps events (default time.Now).
	Now func() time.Time
	// Age is the proposer's initial age (see RaiseAge); the garbage
	// collector raises it. A proposer restarted under a new Incarnation is
	// a new proposer to the acceptors and may start at 0.
	Age uint64
}

// Proposer runs CASPaxos changes. It is safe for concurrent use: changes
// of one key queue and share rounds, changes of different keys run in
// parallel.
type Proposer struct {
	id     string // ID.Incarnation, the proposer part of its ballots
	opts   Options
	config atomic.Pointer[configGen]
	oneRTT atomic.Bool
	cache  *lru.Cache[string, cached]
	seq    atomic.Uint64 // ChangeID and MsgID source
	wait   atomic.Int64  // round timeout in nanoseconds
	active atomic.Int64
	age    atomic.Uint64 // sent with every message (age.go)

	mu      sync.Mutex
	counter uint64
	queues  map[string]*keyQueue
}

type configGen struct {
	Config
	gen uint64
}

// cached is what the one-round-trip optimization remembers of a key: the
// ballot its last accept asked a quorum to promise, and the value written.
type cached struct {
	ballot Ballot
	value  []byte
	gen    uint64
}

// NewProposer validates opts and returns a proposer.
func NewProposer(opts Options) (*Proposer, error) {
	if err := ValidateProposerID(opts.ID); err != nil {
		return nil, err
	}
	if opts.Incarnation == "" {
		var b [4]byte
		if _, err := rand.Read(b[:]); err != nil {
			return nil, fmt.Errorf("paxos: incarnation: %w", err)
		}
		opts.Incarnation = hex.EncodeToString(b[:])
	}
	if !proposerIDPattern.MatchString(opts.Incarnation) {
		return nil, fmt.Errorf("paxos: incarnation %q: use letters, digits, '-' or '_'", opts.Incarnation)
	}
	if err := opts.Config.Validate(); err != nil {
		return nil, err
	}
	if opts.CacheSize <= 0 {
		opts.CacheSize = 10000
	}
	if opts.MaxBatch <= 0 {
		opts.MaxBatch = 64
	}
	if opts.RoundTimeout <= 0 {
		opts.RoundTimeout = 3 * time.Second
	}
	if opts.SettleTimeout <= 0 {
		opts.SettleTimeout = 100 * time.Millisecond
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	cache, err := lru.New[string, cached](opts.CacheSize)
	if err != nil {
		return nil, err
	}
	p := &Proposer{id: opts.ID + "." + opts.Incarnation, opts: opts, cache: cache, queues: map[string]*keyQueue{}}
	p.config.Store(&configGen{Config: opts.Config, gen: 1})
	p.oneRTT.Store(opts.OneRTT)
	p.wait.Store(int64(opts.RoundTimeout))
	p.age.Store(opts.Age)
	return p, nil
}

// ID returns the proposer part of the ballots it issues, "p1.1f3a9c02".
func (p *Proposer) ID() string { return p.id }

// Config returns the configuration in force.
func (p *Proposer) Config() Config { return p.config.Load().Config }

// SetConfig validates c and swaps it in atomically: rounds that started
// before keep the old one. The one-round-trip cache is dropped, since its
// promises came from the old prepare set.
func (p *Proposer) SetConfig(c Config) error {
	if err := c.Validate(); err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.config.Store(&configGen{Config: c, gen: p.config.Load().gen + 1})
	p.cache.Purge()
	return nil
}

// SetOneRTT switches the one-round-trip optimization on or off.
func (p *Proposer) SetOneRTT(on bool) {
	p.oneRTT.Store(on)
	if !on {
		p.cache.Purge()
	}
}

// SetRoundTimeout changes Options.RoundTimeout for the rounds that start
// afterwards; d <= 0 is ignored. Step-by-step delivery by hand needs long
// rounds.
func (p *Proposer) SetRoundTimeout(d time.Duration) {
	if d > 0 {
		p.wait.Store(int64(d))
	}
}

// RoundTimeout returns the round timeout in force.
func (p *Proposer) RoundTimeout() time.Duration { return time.Duration(p.wait.Load()) }

// OneRTT reports whether the one-round-trip optimization is on.
func (p *Proposer) OneRTT() bool { return p.oneRTT.Load() }

// Counter returns the ballot counter last used.
func (p *Proposer) Counter() uint64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.counter
}

// CachedKeys returns how many keys can change in one round trip.
func (p *Proposer) CachedKeys() int { return p.cache.Len() }

// InFlight returns how many changes are queued or running.
func (p *Proposer) InFlight() int { return int(p.active.Load()) }

// Forget drops the cached state of key, so its next change prepares.
func (p *Proposer) Forget(key string) { p.cache.Remove(key) }

// nextBallot issues a ballot never issued before, or reports that the
// counter is exhausted (only a ballot near 2^64 seen at an acceptor gets it
// there; wrapping around would reuse ballots).
func (p *Proposer) nextBallot() (Ballot, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.counter == math.MaxUint64 {
		return Ballot{}, false
	}
	p.counter++
	return Ballot{Counter: p.counter, Proposer: p.id}, true
}

// fastForward moves the counter past seen, so the next ballot beats it.
func (p *Proposer) fastForward(meta Meta, seen Ballot) {
	p.mu.Lock()
	from := p.counter
	if seen.Counter > p.counter {
		p.counter = seen.Counter
	}
	to := p.counter
	p.mu.Unlock()
	if to != from && p.tracing() {
		meta.At = p.opts.Now()
		p.opts.Tracer.Trace(BallotFastForwarded{Meta: meta,
			From: Ballot{Counter: from, Proposer: p.id}, To: Ballot{Counter: to, Proposer: p.id}})
	}
}

func (p *Proposer) tracing() bool { return p.opts.Tracer != nil && p.opts.Tracer.Enabled() }

// Change runs update on key's state and returns the new state once a
// quorum accepted it.
//
// From the paper: "A client submits the change function to a proposer.
// The proposer generates a ballot number B... sends a prepare message to
// the acceptors... applies the change function to the value with the
// highest ballot ... sends an accept message." (README: Propose steps 1-5).
func (p *Proposer) Change(ctx context.Context, key string, update UpdateFunc) ([]byte, error) {
	p.active.Add(1)
	defer p.active.Add(-1)
	c := &call{ctx: ctx, update: update, done: make(chan result, 1), lead: make(chan struct{}, 1)}
	if p.enqueue(key, c) {
		p.lead(key)
	}
	return c.wait(p, key)
}
