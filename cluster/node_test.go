package cluster

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/gryadka/gryadka/paxos"
)

func nodeBallot(n uint64) paxos.Ballot { return paxos.Ballot{Counter: n, Proposer: "p1.test"} }

func TestNode_KillRefusesConnections(t *testing.T) {
	for _, kind := range nodeTestKinds(t) {
		t.Run(string(kind), func(t *testing.T) {
			n := nodeTestStart(t, kind, nil)
			addr := n.Addr()
			if err := PingAddr(nodeTestContext(t), addr); err != nil {
				t.Fatalf("a started node does not answer: %v", err)
			}
			if err := n.Kill(); err != nil {
				t.Fatal(err)
			}
			if want, have := NodeDown, n.State(); want != have {
				t.Fatalf("state: want %v, have %v", want, have)
			}
			if err := PingAddr(nodeTestContext(t), addr); err == nil {
				t.Fatal("a killed node still answers")
			}
			if err := n.Restart(nodeTestContext(t)); err != nil {
				t.Fatal(err)
			}
			if want, have := addr, n.Addr(); want != have {
				t.Fatalf("address after restart: want %s, have %s", want, have)
			}
			if err := PingAddr(nodeTestContext(t), addr); err != nil {
				t.Fatalf("a restarted node does not answer: %v", err)
			}
		})
	}
}

func TestNode_KillFailsRequestsInFlight(t *testing.T) {
	for _, kind := range nodeTestKinds(t) {
		t.Run(string(kind), func(t *testing.T) {
			n := nodeTestStart(t, kind, nil)
			a := nodeTestDial(t, n, "")
			if err := n.Pause(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() {
				_, err := a.Prepare(nodeTestContext(t), "k", nodeBallot(1))
				done <- err
			}()
			if err := n.Kill(); err != nil {
				t.Fatal(err)
			}
			if err := <-done; err == nil {
				t.Fatal("a request in flight during a kill succeeded")
			}
			if err := n.Start(nodeTestContext(t)); err != nil {
				t.Fatal(err)
			}
			p, err := a.Prepare(nodeTestContext(t), "k", nodeBallot(1))
			if err != nil {
				t.Fatalf("the request held when the node was killed was executed: %v", err)
			}
			if !p.Accepted.IsZero() {
				t.Fatalf("fresh key: want nothing accepted, have %v", p.Accepted)
			}
		})
	}
}

func TestNode_RestartKeepsPromises(t *testing.T) {
	for _, kind := range nodeTestKinds(t) {
		t.Run(string(kind), func(t *testing.T) {
			n := nodeTestStart(t, kind, nil)
			a := nodeTestDial(t, n, "")
			ctx := nodeTestContext(t)
			if err := a.Accept(ctx, "k", nodeBallot(5), []byte("v5"), nodeBallot(6)); err != nil {
				t.Fatal(err)
			}
			if _, err := a.Prepare(ctx, "k", nodeBallot(9)); err != nil {
				t.Fatal(err)
			}
			if err := n.Kill(); err != nil {
				t.Fatal(err)
			}
			if err := n.Restart(ctx); err != nil {
				t.Fatal(err)
			}
			_, err := a.Prepare(ctx, "k", nodeBallot(7))
			var conflict *paxos.ConflictError
			if !errors.As(err, &conflict) {
				t.Fatalf("prepare below the promise after a restart: want a conflict, have %v", err)
			}
			if want, have := nodeBallot(9), conflict.Seen; want != have {
				t.Fatalf("promise after restart: want %v, have %v", want, have)
			}
			p, err := a.Prepare(ctx, "k", nodeBallot(10))
			if err != nil {
				t.Fatal(err)
			}
			if want, have := "v5", string(p.Value); want != have || p.Accepted != nodeBallot(5) {
				t.Fatalf("accepted value after restart: want %q at %v, have %q at %v", want, nodeBallot(5), have, p.Accepted)
			}
		})
	}
}

func TestNode_WipeEmptiesAndRefusesVoter(t *testing.T) {
	for _, kind := range nodeTestKinds(t) {
		t.Run(string(kind), func(t *testing.T) {
			events := &nodeEvents{}
			n := nodeTestStart(t, kind, events)
			ctx := nodeTestContext(t)
			if err := nodeTestDial(t, n, "").Join(ctx, "cluster-1"); err != nil {
				t.Fatal(err)
			}
			a := nodeTestDial(t, n, "cluster-1")
			if err := a.Accept(ctx, "k", nodeBallot(5), []byte("v5"), paxos.Ballot{}); err != nil {
				t.Fatal(err)
			}
			if err := n.Wipe(ctx); err != nil {
				t.Fatal(err)
			}
			if want, have := NodeWiped, n.State(); want != have {
				t.Fatalf("state: want %v, have %v", want, have)
			}
			if _, err := a.Prepare(ctx, "k", nodeBallot(1)); !errors.Is(err, ErrIdentityMismatch) {
				t.Fatalf("prepare on a wiped node: want ErrIdentityMismatch, have %v", err)
			}
			if err := n.Restart(ctx); err != nil {
				t.Fatal(err)
			}
			if want, have := NodeWiped, n.State(); want != have {
				t.Fatalf("state after restarting a wiped node: want %v, have %v", want, have)
			}
			if err := a.Join(ctx, "cluster-1"); err != nil {
				t.Fatal(err)
			}
			n.MarkJoined()
			p, err := a.Prepare(ctx, "k", nodeBallot(1))
			if err != nil {
				t.Fatalf("prepare on a re-joined node: %v", err)
			}
			if !p.Accepted.IsZero() || p.Value != nil {
				t.Fatalf("a wiped node kept %q at %v", p.Value, p.Accepted)
			}
			want := []NodeState{NodeUp, NodeDown, NodeWiped, NodeDown, NodeWiped, NodeUp}
			if have := events.list(); !slices.Equal(want, have) {
				t.Fatalf("events: want %v, have %v", want, have)
			}
		})
	}
}

func TestNode_PauseHoldsRequestsUntilResume(t *testing.T) {
	for _, kind := range nodeTestKinds(t) {
		t.Run(string(kind), func(t *testing.T) {
			n := nodeTestStart(t, kind, nil)
			a := nodeTestDial(t, n, "")
			ctx := nodeTestContext(t)
			if err := n.Pause(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- a.Accept(ctx, "k", nodeBallot(3), []byte("late"), paxos.Ballot{}) }()
			select {
			case err := <-done:
				t.Fatalf("a request to a paused node completed: %v", err)
			case <-time.After(300 * time.Millisecond):
			}
			if err := n.Resume(); err != nil {
				t.Fatal(err)
			}
			if err := <-done; err != nil {
				t.Fatalf("the held request failed after resume: %v", err)
			}
			if want, have := NodeUp, n.State(); want != have {
				t.Fatalf("state: want %v, have %v", want, have)
			}
			p, err := a.Prepare(ctx, "k", nodeBallot(4))
			if err != nil {
				t.Fatal(err)
			}
			if want, have := "late", string(p.Value); want != have {
				t.Fatalf("value written late: want %q, have %q", want, have)
			}
		})
	}
}

func TestNode_ActionsCheckState(t *testing.T) {
	remote, err := NewNode(NodeOptions{Name: "a2", Kind: KindRemote, Addr: "127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	down, err := NewNode(NodeOptions{Name: "a3", Kind: KindEmbedded})
	if err != nil {
		t.Fatal(err)
	}
	closed, err := NewNode(NodeOptions{Name: "a4", Kind: KindEmbedded})
	if err != nil {
		t.Fatal(err)
	}
	if err := closed.Close(); err != nil {
		t.Fatal(err)
	}
	up := nodeTestStart(t, KindEmbedded, nil)
	for name, tc := range map[string]struct {
		action  func() error
		want    error
		message string
	}{
		"kill remote":   {remote.Kill, ErrRemoteNode, "a2 is a remote node: kill is not available; use link faults"},
		"pause remote":  {remote.Pause, ErrRemoteNode, "a2 is a remote node: pause is not available; use link faults"},
		"pause down":    {down.Pause, ErrNodeState, "a3 is down: pause is not available; restart it first"},
		"kill down":     {down.Kill, ErrNodeState, "a3 is down: kill is not available; restart it first"},
		"resume up":     {up.Resume, ErrNodeState, "a1 is up: resume is not available"},
		"kill closed":   {closed.Kill, ErrNodeClosed, "a4 is closed: kill is not available"},
		"start up":      {func() error { return up.Start(nodeTestContext(t)) }, ErrNodeState, "a1 is up: start is not available"},
		"wipe remote":   {func() error { return remote.Wipe(nodeTestContext(t)) }, ErrRemoteNode, "a2 is a remote node: wipe is not available; use link faults"},
		"restart close": {func() error { return closed.Restart(nodeTestContext(t)) }, ErrNodeClosed, "a4 is closed: restart is not available"},
	} {
		t.Run(name, func(t *testing.T) {
			err := tc.action()
			if !errors.Is(err, tc.want) {
				t.Fatalf("want %v, have %v", tc.want, err)
			}
			if want, have := tc.message, err.Error(); want != have {
				t.Fatalf("message: want %q, have %q", want, have)
			}
		})
	}
	if want, have := NodeUp, remote.State(); want != have {
		t.Fatalf("remote state: want %v, have %v", want, have)
	}
}

func TestNode_EventsFollowActions(t *testing.T) {
	for _, kind := range nodeTestKinds(t) {
		t.Run(string(kind), func(t *testing.T) {
			events := &nodeEvents{}
			n := nodeTestStart(t, kind, events)
			ctx := nodeTestContext(t)
			steps := []func() error{n.Pause, n.Resume, n.Pause, n.Kill,
				func() error { return n.Restart(ctx) }, func() error { return n.Restart(ctx) }, n.Close}
			stop, read := make(chan struct{}), make(chan struct{})
			go func() { // the getters run concurrently with the actions (checked by -race)
				defer close(read)
				for {
					select {
					case <-stop:
						return
					default:
						_, _, _ = n.State(), n.Addr(), n.PID()
					}
				}
			}()
			defer func() { close(stop); <-read }()
			for _, step := range steps {
				if err := step(); err != nil {
					t.Fatal(err)
				}
			}
			want := []NodeState{NodeUp, NodePaused, NodeUp, NodePaused, NodeDown, NodeUp, NodeDown, NodeUp, NodeDown}
			if have := events.list(); !slices.Equal(want, have) {
				t.Fatalf("want %v, have %v", want, have)
			}
		})
	}
}

func TestNewNode_RejectsBadOptions(t *testing.T) {
	for name, opts := range map[string]NodeOptions{
		"empty name":     {Kind: KindEmbedded},
		"bad name":       {Name: "a 1", Kind: KindEmbedded},
		"unknown kind":   {Name: "a1", Kind: "docker"},
		"remote no addr": {Name: "a1", Kind: KindRemote},
		"process no dir": {Name: "a1", Kind: KindProcess, RedisServer: "/bin/true"},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := NewNode(opts); err == nil {
				t.Fatal("want an error, have nil")
			}
		})
	}
}
