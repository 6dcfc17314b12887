package tui

import (
	"context"
	"fmt"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/gryadka/gryadka/kv"
	"github.com/gryadka/gryadka/paxos"
)

// goldenEnv is an environment whose screens do not change between runs:
// fake nodes holding a fixed state, and a proposer that has run nothing.
func goldenEnv(t *testing.T) *testEnv {
	te := newTestEnv(t)
	te.links.held = []HeldMessage{
		{ID: 7, Proposer: "p1", Acceptor: "a2", Phase: paxos.PhasePrepare, Ballot: ballot(9, "p1"), Key: "k"},
		{ID: 8, Proposer: "p1", Acceptor: "a1", Reply: true, Phase: paxos.PhasePrepare, Ballot: ballot(9, "p1"), Key: "k",
			Summary: "promise, accepted 2:p1"},
	}
	ctx := context.Background()
	v1, _ := kv.Encode(kv.Entry{Version: 1, Value: int64(1)})
	v2, _ := kv.Encode(kv.Entry{Version: 2, Value: int64(2)})
	for i, n := range te.nodes.nodes {
		n.Accept(ctx, "k", ballot(1, "p1"), v1, paxos.Ballot{})
		if i < 2 {
			n.Accept(ctx, "k", ballot(2, "p1"), v2, ballot(3, "p1"))
		}
		n.Accept(ctx, "j", ballot(1, "p2"), v1, paxos.Ballot{})
	}
	return te
}

func TestGolden_Screens(t *testing.T) {
	screens := map[string][]string{
		"protocol": nil,
		"keys":     {"2", "r", "down", "enter"},
		"load":     {"3"},
		"queue":    {"4"},
		"log":      {"5"},
		"help":     {"?"},
		"cluster":  {"tab", "down"},
		"prompt":   {":", "k", "i"},
	}
	for _, sz := range [][2]int{{80, 24}, {160, 48}} {
		for name, keys := range screens {
			t.Run(fmt.Sprintf("%s_%dx%d", name, sz[0], sz[1]), func(t *testing.T) {
				te := goldenEnv(t)
				d := newDriver(t, te.env, sz[0], sz[1])
				d.msg(traceBatchMsg{Records: demoRecords()})
				d.keys(keys...)
				golden.RequireEqual(t, []byte(ansi.Strip(d.m.View())))
			})
		}
	}
}
