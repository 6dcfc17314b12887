package cluster

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/gryadka/gryadka/paxos"
)

// pipeTestHang bounds how long a test waits for a call that must return
// before failing as hung; far above any honest answer.
const pipeTestHang = time.Minute

// pipeTestAwait waits for errc, failing the test if it never answers.
func pipeTestAwait(t *testing.T, errc <-chan error, what string) error {
	t.Helper()
	select {
	case err := <-errc:
		return err
	case <-time.After(pipeTestHang):
		t.Fatalf("%s hung", what)
		return nil
	}
}

// TestPipeline_RepliesReachTheirCallers: many calls at once share
// pipelines; each caller must get the reply to its own call, promises and
// conflicts alike.
func TestPipeline_RepliesReachTheirCallers(t *testing.T) {
	ctx := context.Background()
	accTestBackends(t, func(t *testing.T, addr string) {
		a := accTestDial(t, addr, nil)
		const n = 300
		for i := range n {
			key, b := fmt.Sprint("k", i), accTestBallot(10, "p1")
			if err := a.Accept(ctx, key, b, []byte(fmt.Sprint("v", i)), paxos.Ballot{}); err != nil {
				t.Fatal(err)
			}
		}
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for i := range n {
			wg.Go(func() {
				key := fmt.Sprint("k", i)
				if i%2 == 1 {
					// A lower ballot than the one accepted: refused.
					_, err := a.Prepare(ctx, key, accTestBallot(5, "p2"))
					if !paxos.IsConflict(err) {
						errs <- fmt.Errorf("%s: want a conflict, have %v", key, err)
					}
					return
				}
				p, err := a.Prepare(ctx, key, accTestBallot(20, "p2"))
				want := fmt.Sprint("v", i)
				if err != nil || string(p.Value) != want || p.Accepted != accTestBallot(10, "p1") {
					errs <- fmt.Errorf("%s: want %s at %v, have %+v, %v", key, want, accTestBallot(10, "p1"), p, err)
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
	})
}

// TestPipeline_NoScriptIsResentAsEval: after SCRIPT FLUSH a whole batch is
// refused with NOSCRIPT; each call must then run once, with the script's
// text.
func TestPipeline_NoScriptIsResentAsEval(t *testing.T) {
	ctx := context.Background()
	accTestBackends(t, func(t *testing.T, addr string) {
		a := accTestDial(t, addr, nil)
		if err := accTestClient(t, addr).ScriptFlush(ctx).Err(); err != nil {
			t.Fatal(err)
		}
		const n = 100
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for i := range n {
			wg.Go(func() {
				key := fmt.Sprint("k", i)
				if _, err := a.Prepare(ctx, key, accTestBallot(uint64(i+1), "p1")); err != nil {
					errs <- fmt.Errorf("%s: %w", key, err)
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		for i := range n {
			key := fmt.Sprint("k", i)
			s, err := a.State(ctx, key)
			if want := accTestBallot(uint64(i+1), "p1"); err != nil || s.Promise != want {
				t.Errorf("%s: want promise %v, have %+v, %v", key, want, s, err)
			}
		}
	})
}

// TestPipeline_GaveUpCallIsNotSent: a call whose context ended before it
// was sent must not reach the node at all.
func TestPipeline_GaveUpCallIsNotSent(t *testing.T) {
	m := miniredis.RunT(t)
	a := accTestDial(t, m.Addr(), nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	before := m.CommandCount()
	_, err := a.Prepare(ctx, "k", accTestBallot(1, "p1"))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("want context.Canceled, have %v", err)
	}
	if have := m.CommandCount() - before; have != 0 {
		t.Fatalf("want no command sent for a cancelled call, have %d", have)
	}
}

// TestPipeline_CallerStopsWaitingOnAPausedNode: a caller whose context
// ends stops waiting for a node that does not answer, and the acceptor
// works again once the node does.
func TestPipeline_CallerStopsWaitingOnAPausedNode(t *testing.T) {
	n := nodeTestStart(t, KindEmbedded, nil)
	a := nodeTestDial(t, n, "")
	if err := n.Pause(); err != nil {
		t.Fatal(err)
	}
	// Cancelled, not timed out: the pipeline's own deadline (10s) is far
	// off, so only the caller's context can end the wait.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	time.AfterFunc(50*time.Millisecond, cancel)
	if _, err := a.Prepare(ctx, "k", accTestBallot(1, "p1")); !errors.Is(err, context.Canceled) {
		t.Fatalf("want context.Canceled from a paused node, have %v", err)
	}
	if err := n.Resume(); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Prepare(nodeTestContext(t), "k", accTestBallot(2, "p1")); err != nil {
		t.Fatalf("prepare after resume: %v", err)
	}
}

// TestPipeline_CloseDoesNotWaitForAPausedNode: Close must fail the calls
// a paused node holds, not wait for their timeout (an hour here), and
// leave no goroutine behind (checked by nodeTestStart).
func TestPipeline_CloseDoesNotWaitForAPausedNode(t *testing.T) {
	n := nodeTestStart(t, KindEmbedded, nil)
	a, err := DialAcceptor(nodeTestContext(t), AcceptorOptions{
		Endpoint: Endpoint{Name: n.Name(), Addr: n.Addr()}, Timeout: time.Hour, InMemoryOK: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Pause(); err != nil {
		t.Fatal(err)
	}
	const calls = 10
	errc := make(chan error, calls)
	for i := range calls {
		go func() {
			_, err := a.Prepare(context.Background(), fmt.Sprint("k", i), accTestBallot(1, "p1"))
			errc <- err
		}()
	}
	closed := make(chan error, 1)
	go func() { closed <- a.Close() }()
	if err := pipeTestAwait(t, closed, "Close on a paused node"); err != nil {
		t.Fatalf("Close: %v", err)
	}
	for range calls {
		if err := pipeTestAwait(t, errc, "a call held by a paused node after Close"); err == nil {
			t.Fatal("a call held by a paused node succeeded after Close")
		}
	}
}

// TestPipeline_CallAfterCloseFails: a closed acceptor refuses calls
// instead of queueing them forever; closing twice is harmless.
func TestPipeline_CallAfterCloseFails(t *testing.T) {
	a := accTestDial(t, miniredis.RunT(t).Addr(), nil)
	if err := a.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := a.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	errc := make(chan error, 1)
	go func() {
		_, err := a.Prepare(context.Background(), "k", accTestBallot(1, "p1"))
		errc <- err
	}()
	if err := pipeTestAwait(t, errc, "a call after Close"); !errors.Is(err, redis.ErrClosed) {
		t.Fatalf("want redis.ErrClosed, have %v", err)
	}
}

// TestPipeline_OneKeyOneWorker: the calls of one key always go to the same
// worker, so a node runs them in the order they were made; different keys
// use every worker.
func TestPipeline_OneKeyOneWorker(t *testing.T) {
	p := newPipeline(redis.NewClient(&redis.Options{Addr: miniredis.RunT(t).Addr()}), time.Second)
	t.Cleanup(func() { _ = p.close() })
	used := map[chan *scriptCall]bool{}
	for i := range 64 {
		keys := []string{fmt.Sprint("gryadka:k:", i), "gryadka:identity"}
		q := p.queueOf(keys)
		for range 3 {
			if p.queueOf(keys) != q {
				t.Fatalf("key %s: want one worker for every call", keys[0])
			}
		}
		used[q] = true
	}
	if want, have := pipelineWorkers, len(used); want != have {
		t.Fatalf("want 64 keys spread over %d workers, have %d", want, have)
	}
}

// TestPipeline_CallsOfOneKeyRunInOrder: calls of one key held by a paused
// node run in the order they were made once it resumes.
func TestPipeline_CallsOfOneKeyRunInOrder(t *testing.T) {
	n := nodeTestStart(t, KindEmbedded, nil)
	rdb := redis.NewClient(&redis.Options{Addr: n.Addr()})
	p := newPipeline(rdb, time.Minute)
	t.Cleanup(func() { _ = p.close() })
	push := redis.NewScript(`return redis.call("RPUSH", KEYS[1], ARGV[1])`)
	if err := n.Pause(); err != nil {
		t.Fatal(err)
	}
	const calls = 8
	errc := make(chan error, calls)
	for i := range calls {
		go func() {
			_, err := p.run(context.Background(), push, []string{"order"}, i)
			errc <- err
		}()
		time.Sleep(20 * time.Millisecond) // so that call i is made before call i+1
	}
	if err := n.Resume(); err != nil {
		t.Fatal(err)
	}
	for range calls {
		if err := pipeTestAwait(t, errc, "a call held by a paused node"); err != nil {
			t.Fatal(err)
		}
	}
	have, err := rdb.LRange(context.Background(), "order", 0, -1).Result()
	if err != nil {
		t.Fatal(err)
	}
	if want := "[0 1 2 3 4 5 6 7]"; fmt.Sprint(have) != want {
		t.Fatalf("want the calls run in order %s, have %v", want, have)
	}
}
