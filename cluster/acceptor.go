package cluster

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"runtime"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"

	"github.com/gryadka/gryadka/paxos"
)

// DefaultNamespace prefixes every key gryadka writes in a Redis.
const DefaultNamespace = "gryadka"

// DefaultAcceptorTimeout bounds dialing and each read and write when
// AcceptorOptions.Timeout is zero. A call's context can only shorten it.
const DefaultAcceptorTimeout = 2 * time.Second

var namespacePattern = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)

// AcceptorOptions configures DialAcceptor.
type AcceptorOptions struct {
	// Endpoint is the node's address; its Name names the acceptor.
	Endpoint Endpoint

	// Namespace prefixes the keys, so gryadka can share a Redis with other
	// data: the state of key k lives in the hash "<ns>:k:<k>", the
	// node's identity in "<ns>:identity" and the garbage collector's
	// minimum ages in "<ns>:ages" and ballot floor in "<ns>:floor".
	// Default DefaultNamespace.
	Namespace string

	// Identity, when set, is required on every prepare and accept: a node
	// that does not hold it (it was wiped, or never joined) refuses with
	// ErrIdentityMismatch. Empty means no check.
	Identity string

	// Timeout bounds dialing and each read and write. Default
	// DefaultAcceptorTimeout.
	Timeout time.Duration

	// PoolSize is the most connections kept to the node; concurrent calls
	// beyond it wait. Default 16 per CPU, at least 64.
	PoolSize int

	// AllowEviction connects even when the node may evict keys, which can
	// silently drop a promise. For experiments only.
	AllowEviction bool

	// InMemoryOK says the node keeps its data in memory on purpose (an
	// embedded node, a throwaway test server): no warning about missing
	// persistence.
	InMemoryOK bool
}

// RedisAcceptor is a paxos.Acceptor whose state lives in a Redis server.
// Prepare and accept are Lua scripts, so each call is atomic on the node.
// The client never re-sends a request: a lost reply is a missing vote and
// retrying is the proposer's decision. It is safe for concurrent use.
type RedisAcceptor struct {
	name        string
	endpoint    Endpoint
	keyPrefix   string // "<ns>:k:"
	identityKey string // "<ns>:identity"
	agesKey     string // "<ns>:ages": minimum age per proposer (acceptor_gc.go)
	floorKey    string // "<ns>:floor": no ballot below it passes (acceptor_gc.go)
	identity    string
	rdb         *redis.Client
	calls       *pipeline // prepares and accepts, batched
	warnings    []string
}

var _ paxos.Acceptor = (*RedisAcceptor)(nil)

// DialAcceptor connects to the node of opts.Endpoint, loads the scripts and
// checks the server's configuration. It refuses a server that can evict
// keys (unless AllowEviction), a replica and a cluster-mode server, with
// an error that says why (wrapping ErrUnsafeServer). Lesser risks, such as
// missing fsync, are listed by Warnings.
func DialAcceptor(ctx context.Context, opts AcceptorOptions) (*RedisAcceptor, error) {
	ep := opts.Endpoint
	label := endpointLabel(ep.Name)
	ns := opts.Namespace
	if ns == "" {
		ns = DefaultNamespace
	}
	if !namespacePattern.MatchString(ns) {
		return nil, fmt.Errorf("%s: namespace %q: use 1 to 64 letters, digits, '.', '-' or '_'", label, ns)
	}
	if err := checkHostPort(ep.Addr); err != "" {
		return nil, fmt.Errorf("%s: address %q: %s", label, ep.Addr, err)
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultAcceptorTimeout
	}
	pool := opts.PoolSize
	if pool <= 0 {
		pool = max(64, 16*runtime.GOMAXPROCS(0))
	}
	rdb := redis.NewClient(&redis.Options{
		Addr:      ep.Addr,
		Username:  ep.Username,
		Password:  ep.Password,
		TLSConfig: ep.TLS,
		Protocol:  2,
		// Never re-send: a retried accept is a duplicated message the
		// proposer did not decide to send.
		MaxRetries:            -1,
		DialerRetries:         1,
		DialTimeout:           timeout,
		ReadTimeout:           timeout,
		WriteTimeout:          timeout,
		ContextTimeoutEnabled: true,
		PoolSize:              pool,
		PoolTimeout:           timeout,
		DisableIdentity:       true,
		MaintNotificationsConfig: &maintnotifications.Config{
			Mode: maintnotifications.ModeDisabled,
		},
	})
	a := &RedisAcceptor{
		name:        ep.Name,
		endpoint:    ep,
		keyPrefix:   ns + ":k:",
		identityKey: ns + ":identity",
		agesKey:     ns + ":ages",
		floorKey:    ns + ":floor",
		identity:    opts.Identity,
		rdb:         rdb,
	}
	if err := a.connect(ctx, opts); err != nil {
		_ = rdb.Close()
		return nil, err
	}
	a.calls = newPipeline(rdb, timeout)
	return a, nil
}

// connect loads the scripts, so the first calls need no fallback, then
// checks the server.
func (a *RedisAcceptor) connect(ctx context.Context, opts AcceptorOptions) error {
	label := endpointLabel(a.name)
	for _, s := range []*redis.Script{prepareScript, acceptScript, pingScript, removeScript, minAgeScript} {
		if err := s.Load(ctx, a.rdb).Err(); err != nil {
			return fmt.Errorf("%s: cannot use the Redis at %s: %w", label, a.endpoint, err)
		}
	}
	facts := readServerFacts(ctx, a.rdb)
	warnings, err := assessServer(facts, opts.AllowEviction, opts.InMemoryOK)
	if err != nil {
		return fmt.Errorf("%s (%s): %w", label, a.endpoint, err)
	}
	if a.identity != "" {
		have, err := a.Identity(ctx)
		switch {
		case err != nil:
			return err
		case have == "":
			warnings = append(warnings, "the node has no identity yet: it refuses to vote until it joins the cluster")
		case have != a.identity:
			warnings = append(warnings, fmt.Sprintf("the node belongs to another cluster (identity %q, want %q): it refuses to vote", have, a.identity))
		}
	}
	a.warnings = warnings
	return nil
}

// Name implements paxos.Acceptor.
func (a *RedisAcceptor) Name() string { return a.name }

// Endpoint returns the address the acceptor is connected to.
func (a *RedisAcceptor) Endpoint() Endpoint { return a.endpoint }

// Warnings returns the risks found when connecting, in words: no
// persistence, no fsync on every write, settings that could not be checked.
func (a *RedisAcceptor) Warnings() []string { return append([]string(nil), a.warnings...) }

// Prepare implements paxos.Acceptor with prepare.lua.
func (a *RedisAcceptor) Prepare(ctx context.Context, key string, b paxos.Ballot) (paxos.Promise, error) {
	rc := replyContext{phase: paxos.PhasePrepare, node: a.name, key: key, ballot: b, identity: a.identity}
	age := paxos.AgeFrom(ctx)
	reply, err := a.calls.run(ctx, prepareScript, []string{a.keyPrefix + key, a.identityKey, a.agesKey, a.floorKey},
		b.Wire(), a.identity, ageArg(age))
	if err != nil {
		return paxos.Promise{}, a.callError(rc, err)
	}
	if err := a.ageRefusal(b, age, reply); err != nil {
		return paxos.Promise{}, err
	}
	return decodeReply(rc, reply)
}

// Accept implements paxos.Acceptor with accept.lua.
func (a *RedisAcceptor) Accept(ctx context.Context, key string, b paxos.Ballot, value []byte, next paxos.Ballot) error {
	rc := replyContext{phase: paxos.PhaseAccept, node: a.name, key: key, ballot: b, identity: a.identity}
	flag, payload := valueArgs(value)
	age := paxos.AgeFrom(ctx)
	reply, err := a.calls.run(ctx, acceptScript, []string{a.keyPrefix + key, a.identityKey, a.agesKey, a.floorKey},
		b.Wire(), next.Wire(), flag, payload, a.identity, ageArg(age))
	if err != nil {
		return a.callError(rc, err)
	}
	if err := a.ageRefusal(b, age, reply); err != nil {
		return err
	}
	_, err = decodeReply(rc, reply)
	return err
}

// callError wraps a failed round trip; the vote is missing and the state
// may or may not have changed.
func (a *RedisAcceptor) callError(rc replyContext, err error) error {
	return fmt.Errorf("%s: %s of key %q: %w", endpointLabel(a.name), rc.phase, rc.key, err)
}

// Ping runs the trivial script once and returns the round trip: the
// floor below which no phase can go.
func (a *RedisAcceptor) Ping(ctx context.Context) (time.Duration, error) {
	start := time.Now()
	if err := pingScript.Run(ctx, a.rdb, nil).Err(); err != nil {
		return 0, fmt.Errorf("%s: ping: %w", endpointLabel(a.name), err)
	}
	return time.Since(start), nil
}

// Identity returns the identity the node holds, "" when it has none.
func (a *RedisAcceptor) Identity(ctx context.Context) (string, error) {
	id, err := a.rdb.Get(ctx, a.identityKey).Result()
	if errors.Is(err, redis.Nil) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("%s: reading the node's identity: %w", endpointLabel(a.name), err)
	}
	return id, nil
}

// Join gives the node identity, the step of the membership procedure
// that lets it vote. Joining again with the same identity is a no-op; a
// node that holds another identity is refused with ErrIdentityMismatch.
func (a *RedisAcceptor) Join(ctx context.Context, identity string) error {
	label := endpointLabel(a.name)
	if identity == "" {
		return fmt.Errorf("%s: join: the identity is empty", label)
	}
	set, err := a.rdb.SetNX(ctx, a.identityKey, identity, 0).Result()
	if err != nil {
		return fmt.Errorf("%s: join: %w", label, err)
	}
	if set {
		return nil
	}
	have, err := a.Identity(ctx)
	if err != nil {
		return err
	}
	if have != identity {
		return fmt.Errorf("%s: join as %q: %w (it has %q)", label, identity, ErrIdentityMismatch, have)
	}
	return nil
}

// Close closes the connections. Calls in flight fail.
func (a *RedisAcceptor) Close() error { return a.calls.close() }
