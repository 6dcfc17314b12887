package cluster

import (
	"context"
	"hash/maphash"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// Pipelining: a node answers a batch of commands sent in one write far
// faster than the same commands sent one per round trip, and with
// appendfsync always it syncs them with one fsync. So the acceptor does
// not give each call a connection of its own: calls queue, and each of a
// few workers takes whatever is waiting, sends it as one pipeline of
// EVALSHAs over one connection and hands every caller its reply. The calls
// of one key always go to the same worker, which sends its pipelines one
// after another: a node runs them in the order they were made, as over a
// single link, so a straggling prepare never lands after the accept that
// followed it.
const (
	// pipelineWorkers is how many pipelines can be in flight to one node.
	pipelineWorkers = 2
	// pipelineMaxBatch bounds the calls sent in one pipeline.
	pipelineMaxBatch = 64
)

// pipeline sends script calls to one node in batches. It never sends a
// call twice, except a call the node refused with NOSCRIPT (not run), which
// is sent again with the script's text.
type pipeline struct {
	rdb     *redis.Client
	timeout time.Duration
	seed    maphash.Seed
	queues  []chan *scriptCall // one per worker
	quit    chan struct{}      // closed by close: workers stop
	done    chan struct{}      // closed once the workers stopped and the queue is failed
	stop    sync.Once
	wg      sync.WaitGroup
}

type scriptCall struct {
	ctx    context.Context
	script *redis.Script
	keys   []string
	args   []any
	reply  chan scriptReply // buffered: a worker never waits for a caller
}

type scriptReply struct {
	val any
	err error
}

// newPipeline starts the workers over rdb; close stops them and closes rdb.
// Each pipeline is bounded by timeout, and by the latest deadline of the
// calls in it when they all have one.
func newPipeline(rdb *redis.Client, timeout time.Duration) *pipeline {
	p := &pipeline{
		rdb:     rdb,
		timeout: timeout,
		seed:    maphash.MakeSeed(),
		quit:    make(chan struct{}),
		done:    make(chan struct{}),
	}
	for range pipelineWorkers {
		q := make(chan *scriptCall, 4*pipelineMaxBatch)
		p.queues = append(p.queues, q)
		p.wg.Go(func() { p.work(q) })
	}
	return p
}

// run queues one call and waits for its reply, or for ctx to end or the
// pipeline to close: then the call may still run on the node, and its
// reply is dropped.
func (p *pipeline) run(ctx context.Context, script *redis.Script, keys []string, args ...any) (any, error) {
	c := &scriptCall{ctx: ctx, script: script, keys: keys, args: args, reply: make(chan scriptReply, 1)}
	select {
	case <-p.quit:
		return nil, redis.ErrClosed
	default:
	}
	select {
	case p.queueOf(keys) <- c:
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-p.quit:
		return nil, redis.ErrClosed
	}
	select {
	case r := <-c.reply:
		return r.val, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-p.done:
		// The workers are gone; a reply may still have been left.
		select {
		case r := <-c.reply:
			return r.val, r.err
		default:
			return nil, redis.ErrClosed
		}
	}
}

// queueOf returns the queue of the worker that sends the calls of the key
// keys[0] names.
func (p *pipeline) queueOf(keys []string) chan *scriptCall {
	if len(keys) == 0 {
		return p.queues[0]
	}
	return p.queues[maphash.String(p.seed, keys[0])%uint64(len(p.queues))]
}

func (p *pipeline) work(queue chan *scriptCall) {
	batch := make([]*scriptCall, 0, pipelineMaxBatch)
	cmds := make([]*redis.Cmd, 0, pipelineMaxBatch)
	pl := p.rdb.Pipeline() // Exec empties it: one per worker, reused
	for {
		batch = batch[:0]
		select {
		case c := <-queue:
			batch = append(batch, c)
		case <-p.quit:
			return
		}
	more:
		for len(batch) < pipelineMaxBatch {
			select {
			case c := <-queue:
				batch = append(batch, c)
			default:
				break more
			}
		}
		// A caller that gave up before its call was sent: nothing ran.
		live := batch[:0]
		for _, c := range batch {
			if err := c.ctx.Err(); err != nil {
				c.reply <- scriptReply{err: err}
				continue
			}
			live = append(live, c)
		}
		if len(live) > 0 {
			cmds = p.send(pl, live, cmds[:0])
		}
	}
}

// send runs one pipeline of EVALSHAs and hands out the replies; the calls
// refused with NOSCRIPT go again, once, as one pipeline of EVALs.
func (p *pipeline) send(pl redis.Pipeliner, calls []*scriptCall, cmds []*redis.Cmd) []*redis.Cmd {
	ctx := p.batchContext(calls)
	for _, c := range calls {
		cmds = append(cmds, c.script.EvalSha(ctx, pl, c.keys, c.args...))
	}
	_, _ = pl.Exec(ctx)
	var again []int
	for i, c := range calls {
		if err := cmds[i].Err(); redis.HasErrorPrefix(err, "NOSCRIPT") {
			again = append(again, i)
			continue
		}
		c.reply <- scriptReply{val: cmds[i].Val(), err: cmds[i].Err()}
	}
	if len(again) == 0 {
		return cmds
	}
	retryCtx := p.batchContext(calls)
	for _, i := range again {
		c := calls[i]
		cmds[i] = c.script.Eval(retryCtx, pl, c.keys, c.args...)
	}
	_, _ = pl.Exec(retryCtx)
	for _, i := range again {
		calls[i].reply <- scriptReply{val: cmds[i].Val(), err: cmds[i].Err()}
	}
	return cmds
}

// batchContext bounds one pipeline by the timeout, or sooner by the
// latest deadline of its calls when every call has one: past it, no
// caller waits for the replies.
func (p *pipeline) batchContext(calls []*scriptCall) context.Context {
	deadline := time.Now().Add(p.timeout)
	var latest time.Time
	for _, c := range calls {
		d, ok := c.ctx.Deadline()
		if !ok {
			return socketDeadline(deadline)
		}
		if d.After(latest) {
			latest = d
		}
	}
	if latest.Before(deadline) {
		deadline = latest
	}
	return socketDeadline(deadline)
}

// socketDeadline is a context that only carries a deadline: the client
// (ContextTimeoutEnabled) turns it into the connection's read and write
// deadlines, which end a pipeline as surely as a cancelled context would.
// It is never done, so it needs no timer, which context.WithDeadline
// would start for every pipeline.
type socketDeadline time.Time

func (d socketDeadline) Deadline() (time.Time, bool) { return time.Time(d), true }
func (socketDeadline) Done() <-chan struct{}         { return nil }
func (socketDeadline) Err() error                    { return nil }
func (socketDeadline) Value(any) any                 { return nil }

// close stops the workers and closes rdb: a pipeline in flight fails at
// once instead of waiting on a node that does not answer. Calls still
// queued fail with redis.ErrClosed. Closing again does nothing and returns
// nil.
func (p *pipeline) close() error {
	var err error
	p.stop.Do(func() {
		close(p.quit)
		err = p.rdb.Close()
		p.wg.Wait()
		for _, q := range p.queues {
			failQueued(q)
		}
		close(p.done)
	})
	return err
}

// failQueued fails every call still waiting in q.
func failQueued(q chan *scriptCall) {
	for {
		select {
		case c := <-q:
			c.reply <- scriptReply{err: redis.ErrClosed}
		default:
			return
		}
	}
}
