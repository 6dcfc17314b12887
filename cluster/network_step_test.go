package cluster

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/gryadka/gryadka/paxos"
)

func TestNetwork_StepDeliversInTheOrderTheUserPicks(t *testing.T) {
	netTestNoLeaks(t)
	ctx := netTestCtx(t)
	n := NewNetwork(NetworkOptions{})
	n.SetStep(true)
	a := newNetTestRecorder("a1")
	l := n.Link("p1", a)
	var results []<-chan netTestResult
	for i := range 3 {
		ballot := netTestBallot(uint64(i + 1))
		results = append(results, netTestGo(func() (paxos.Promise, error) { return l.Prepare(ctx, "k", ballot) }))
		netTestWaitHeld(t, n, netTestHeldCount(i+1)) // queue them in a known order
	}
	held := n.Held()
	for i, h := range held {
		if h.Direction != DirectionRequest || h.Phase != paxos.PhasePrepare || h.Ballot != netTestBallot(uint64(i+1)) ||
			h.Proposer != "p1" || h.Acceptor != "a1" || h.Key != "k" {
			t.Errorf("held message %d: have %+v", i, h)
		}
	}
	// Deliver ballot 3, then 1: the acceptor sees them in that order.
	for _, id := range []uint64{held[2].ID, held[0].ID} {
		if err := n.Deliver(id); err != nil {
			t.Fatalf("Deliver(%d): %v", id, err)
		}
	}
	if want, have := []string{"prepare k 3:p1", "prepare k 1:p1"}, a.list(); !slices.Equal(want, have) {
		t.Errorf("want calls %q, have %q", want, have)
	}
	// The replies wait behind the undelivered request, in delivery order.
	replies := netTestWaitHeld(t, n, netTestHeldCount(3))[1:]
	wantReplies := []string{"promise, nothing accepted", "conflict, it has seen 3:p1"}
	for i, h := range replies {
		if h.Direction != DirectionReply || h.Summary != wantReplies[i] {
			t.Errorf("reply %d: want %q, have %v", i, wantReplies[i], h)
		}
	}
	// Deliver the rest, oldest first: request 2, then every reply.
	delivered := 0
	err := n.DeliverNext()
	for ; err == nil && delivered < 10; err = n.DeliverNext() {
		delivered++
	}
	if !errors.Is(err, ErrNothingHeld) || delivered != 4 {
		t.Errorf("want 4 messages delivered and then ErrNothingHeld, have %d and %v", delivered, err)
	}
	for i, want := range []bool{true, true, false} { // ballots 1 and 2 lose to 3
		r := netTestRecv(t, results[i])
		if have := paxos.IsConflict(r.err); have != want {
			t.Errorf("prepare %d: want conflict %v, have %v", i+1, want, r.err)
		}
	}
}

func TestNetwork_StepDroppedReplyLeavesTheAcceptorChanged(t *testing.T) {
	netTestNoLeaks(t)
	tr := newNetTestTracer()
	n := NewNetwork(NetworkOptions{Tracer: tr})
	n.SetStep(true)
	a := paxos.NewMemAcceptor("a1")
	ctx, cancel := context.WithCancel(netTestCtx(t))
	done := netTestGo(func() (paxos.Promise, error) {
		return paxos.Promise{}, n.Link("p1", a).Accept(ctx, "k", netTestBallot(1), []byte("v"), netTestBallot(2))
	})
	req := netTestWaitHeld(t, n, netTestHeldCount(1))[0]
	if want := `value "v", then promise 2:p1`; req.Summary != want {
		t.Errorf("want summary %q, have %q", want, req.Summary)
	}
	if err := n.Deliver(req.ID); err != nil {
		t.Fatal(err)
	}
	reply := netTestWaitHeld(t, n, netTestHeldCount(1))[0]
	if reply.Direction != DirectionReply || reply.Summary != "accepted" {
		t.Errorf("want the accepted reply held, have %v", reply)
	}
	if err := n.DropHeld(reply.ID); err != nil {
		t.Fatal(err)
	}
	defer cancel()
	// Dropped by hand: the proposer learns the vote is missing at once,
	// without waiting for its round to time out.
	r := netTestRecv(t, done)
	if !errors.Is(r.err, ErrMessageLost) || paxos.IsConflict(r.err) || errors.Is(r.err, context.Canceled) {
		t.Errorf("want the reply lost, have %v", r.err)
	}
	if have := a.State("k"); string(have.Value) != "v" || have.Promise != netTestBallot(2) {
		t.Errorf("want v accepted and 2:p1 promised, have %q and %s", have.Value, have.Promise)
	}
	want := []string{"held", "delivered", "held", "dropped reply"}
	if have := tr.links(); !slices.Equal(want, have) {
		t.Errorf("want events %q, have %q", want, have)
	}
	if err := n.Deliver(reply.ID); !errors.Is(err, ErrNotHeld) {
		t.Errorf("delivering a dropped message: want ErrNotHeld, have %v", err)
	}
}

func TestNetwork_PartitionDuringExecutionLosesTheReply(t *testing.T) {
	netTestNoLeaks(t)
	tr := newNetTestTracer()
	n := NewNetwork(NetworkOptions{Tracer: tr})
	n.SetStep(true)
	a := paxos.NewMemAcceptor("a1")
	ctx, cancel := context.WithCancel(netTestCtx(t))
	done := netTestGo(func() (paxos.Promise, error) { return n.Link("p1", a).Prepare(ctx, "k", netTestBallot(1)) })
	req := netTestWaitHeld(t, n, netTestHeldCount(1))[0]
	// The request is on its way when the link goes down.
	if err := n.Partition("p1", "a1", FailFast); err != nil {
		t.Fatal(err)
	}
	if err := n.Deliver(req.ID); err != nil {
		t.Fatal(err)
	}
	tr.waitLink(t, "dropped reply: partitioned")
	cancel()
	if r := netTestRecv(t, done); !errors.Is(r.err, ErrMessageLost) {
		t.Errorf("want the reply lost, have %v", r.err)
	}
	if have := a.State("k"); have.Promise != netTestBallot(1) {
		t.Errorf("want 1:p1 promised, have %s", have.Promise)
	}
}

func TestNetwork_StepDroppedRequestNeverArrives(t *testing.T) {
	netTestNoLeaks(t)
	n := NewNetwork(NetworkOptions{})
	n.SetStep(true)
	a := paxos.NewMemAcceptor("a1")
	ctx, cancel := context.WithCancel(netTestCtx(t))
	done := netTestGo(func() (paxos.Promise, error) { return n.Link("p1", a).Prepare(ctx, "k", netTestBallot(1)) })
	req := netTestWaitHeld(t, n, netTestHeldCount(1))[0]
	if err := n.DropHeld(req.ID); err != nil {
		t.Fatal(err)
	}
	defer cancel()
	if r := netTestRecv(t, done); !errors.Is(r.err, ErrMessageLost) || errors.Is(r.err, context.Canceled) {
		t.Errorf("want the request lost at once, have %v", r.err)
	}
	if have := a.State("k"); !have.Promise.IsZero() {
		t.Errorf("want the acceptor untouched, have promise %s", have.Promise)
	}
	if have := n.Held(); len(have) != 0 {
		t.Errorf("want an empty queue, have %v", have)
	}
}

func TestNetwork_StepOffReleasesEverything(t *testing.T) {
	netTestNoLeaks(t)
	ctx := netTestCtx(t)
	n := NewNetwork(NetworkOptions{})
	n.SetStep(true)
	a := paxos.NewMemAcceptor("a1")
	l := n.Link("p1", a)
	first := netTestGo(func() (paxos.Promise, error) { return l.Prepare(ctx, "x", netTestBallot(1)) })
	second := netTestGo(func() (paxos.Promise, error) { return l.Prepare(ctx, "y", netTestBallot(1)) })
	netTestWaitHeld(t, n, netTestHeldCount(2))
	if err := n.DeliverNext(); err != nil { // one request on, its reply held
		t.Fatal(err)
	}
	netTestWaitHeld(t, n, func(h []HeldMessage) bool { return len(h) == 2 && h[1].Direction == DirectionReply })
	n.SetStep(false)
	for _, c := range []<-chan netTestResult{first, second} {
		if r := netTestRecv(t, c); r.err != nil {
			t.Errorf("want every message through, have %v", r.err)
		}
	}
	if n.Step() {
		t.Error("want step mode off")
	}
	if have := n.Held(); len(have) != 0 {
		t.Errorf("want an empty queue, have %v", have)
	}
}

func TestNetwork_StepForgetsCallersThatGaveUp(t *testing.T) {
	netTestNoLeaks(t)
	tr := newNetTestTracer()
	n := NewNetwork(NetworkOptions{Tracer: tr})
	n.SetStep(true)
	a := paxos.NewMemAcceptor("a1")
	ctx, cancel := context.WithCancel(netTestCtx(t))
	done := netTestGo(func() (paxos.Promise, error) { return n.Link("p1", a).Prepare(ctx, "k", netTestBallot(1)) })
	req := netTestWaitHeld(t, n, netTestHeldCount(1))[0]
	cancel()
	if r := netTestRecv(t, done); !errors.Is(r.err, context.Canceled) {
		t.Errorf("want the caller's own error, have %v", r.err)
	}
	netTestWaitHeld(t, n, netTestHeldCount(0))
	tr.waitLink(t, "caller gave up while held")
	if err := n.Deliver(req.ID); !errors.Is(err, ErrNotHeld) {
		t.Errorf("want ErrNotHeld, have %v", err)
	}
	if have := a.State("k"); !have.Promise.IsZero() {
		t.Errorf("want the acceptor untouched, have promise %s", have.Promise)
	}
}

func TestNetwork_StepProposerCommitsOnceAQuorumIsDelivered(t *testing.T) {
	netTestNoLeaks(t)
	tr := newNetTestTracer()
	n := NewNetwork(NetworkOptions{Tracer: tr})
	n.SetStep(true)
	t.Cleanup(func() { n.SetStep(false) }) // let a3's messages go, so nothing lingers
	mems := make([]*paxos.MemAcceptor, 3)
	links := make([]paxos.Acceptor, 3)
	for i := range mems {
		mems[i] = paxos.NewMemAcceptor(fmt.Sprint("a", i+1))
		links[i] = n.Link("p1", mems[i])
	}
	p, err := paxos.NewProposer(paxos.Options{ID: "p1", Config: paxos.Majority(links...), Tracer: tr,
		RoundTimeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	ctx := netTestCtx(t)
	done := make(chan error, 1)
	go func() {
		_, err := p.Change(ctx, "k", func([]byte) ([]byte, error) { return []byte("v"), nil })
		done <- err
	}()

	// deliver delivers the held message from or to acceptor in phase.
	deliver := func(acceptor string, phase paxos.Phase, d Direction) {
		t.Helper()
		held := netTestWaitHeld(t, n, func(h []HeldMessage) bool {
			return slices.ContainsFunc(h, func(m HeldMessage) bool {
				return m.Acceptor == acceptor && m.Phase == phase && m.Direction == d
			})
		})
		i := slices.IndexFunc(held, func(m HeldMessage) bool {
			return m.Acceptor == acceptor && m.Phase == phase && m.Direction == d
		})
		if held[i].Change == 0 || held[i].Msg == 0 {
			t.Errorf("want the proposer's change and message IDs on %v", held[i])
		}
		if err := n.Deliver(held[i].ID); err != nil {
			t.Fatal(err)
		}
	}
	for _, phase := range []paxos.Phase{paxos.PhasePrepare, paxos.PhaseAccept} {
		for _, acc := range []string{"a3", "a1"} {
			deliver(acc, phase, DirectionRequest)
			deliver(acc, phase, DirectionReply)
		}
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("want the change committed, have %v", err)
		}
	case <-time.After(netTestWait):
		t.Fatalf("the change never committed; held %v", n.Held())
	}
	for i, want := range []string{"v", "", "v"} {
		if have := string(mems[i].State("k").Value); have != want {
			t.Errorf("a%d: want %q, have %q", i+1, want, have)
		}
	}
	// a2 was never delivered anything: its prepare and accept still wait.
	// Its two requests were sent concurrently, so either may come first.
	netTestWaitHeld(t, n, func(h []HeldMessage) bool {
		return len(h) == 2 && h[0].Acceptor == "a2" && h[1].Acceptor == "a2" && h[0].Phase != h[1].Phase
	})
}
