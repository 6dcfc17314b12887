package tui

import (
	"bytes"
	"context"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/gryadka/gryadka/paxos"
	"github.com/gryadka/gryadka/trace"
)

func TestTeatest_CommandFlowThroughTheBus(t *testing.T) {
	nodes := newFakeNodes("a1", "a2", "a3")
	bus := trace.NewBus()
	p, err := paxos.NewProposer(paxos.Options{ID: "p1", OneRTT: true, Tracer: bus, Config: paxos.Majority(nodes.acceptors()...)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	env := Env{Bus: bus, Nodes: nodes, Links: newFakeLinks(), Clients: []Client{NewLocalClient(p)}}
	m := New(ctx, env, bus.Subscribe(ctx, trace.WithBuffer(traceBuffer)))
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(100, 30))

	// The output is a stream of partial repaints that each WaitFor
	// consumes, so look in everything read so far.
	var past []byte
	waitFor := func(want string) {
		t.Helper()
		teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
			if bytes.Contains(append(past[:len(past):len(past)], b...), []byte(want)) {
				past = append(past, b...)
				return true
			}
			return false
		}, teatest.WithDuration(10*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
	}
	waitFor("3/3 nodes up")
	tm.Type(":incr k")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitFor("incr k → 1 (version 1)")
	waitFor("prepare quorum won")
	tm.Type(":kill a3")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitFor("2/3 nodes up")
	tm.Type("q")

	final := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(*Model)
	if have := final.proto.d.changes.len(); have != 1 {
		t.Errorf("want one change in the protocol panel, have %d", have)
	}
	if have := final.cluster.snap.Nodes[2].State; have != "down" {
		t.Errorf("want a3 down in the final model, have %s", have)
	}
}
