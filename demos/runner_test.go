package demos

import (
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/gryadka/gryadka/cluster"
	"github.com/gryadka/gryadka/trace"
	"github.com/gryadka/gryadka/tui"
)

func TestMain(m *testing.M) {
	cluster.SetRedisLog(io.Discard) // failed dials are part of the demos
	os.Exit(m.Run())
}

// newEnv starts three embedded nodes and two proposers, as gryadka demo
// does, and stops them when the test ends.
func newEnv(t *testing.T) tui.Env {
	t.Helper()
	ctx := context.Background()
	bus := trace.NewBus()
	l, err := cluster.StartLocal(ctx, cluster.LocalOptions{Nodes: 3, Backend: string(cluster.KindEmbedded), Tracer: bus})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	net := cluster.NewNetwork(cluster.NetworkOptions{Tracer: bus, Seed: 1})
	env, closeEnv, err := tui.NewLocalEnv(ctx, l, net, bus, 2)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { closeEnv() })
	return env
}

// play runs a one-step script of lines on a fresh cluster.
func play(t *testing.T, lines ...string) (string, error) {
	t.Helper()
	s, err := Parse("t.demo", script(lines...))
	if err != nil {
		t.Fatal(err)
	}
	r := NewRunner(context.Background(), newEnv(t))
	defer r.Close()
	var out strings.Builder
	err = r.Run(s, &out)
	return out.String(), err
}

func TestRunner_Checkpoints(t *testing.T) {
	tests := map[string]struct {
		lines []string
		fails string // "" when every checkpoint holds
	}{
		"value holds":          {[]string{"do set k 1", "expect value k = 1"}, ""},
		"value differs":        {[]string{"do set k 1", "expect value k = 2"}, "t.demo:4: demos: checkpoint failed: expect value k = 2: want 2, have 1"},
		"value absent":         {[]string{"expect value k = absent"}, ""},
		"value deleted":        {[]string{"do set k 1", "do del k", "expect value k = deleted"}, ""},
		"value text":           {[]string{`do set k hello`, `expect value k = hello`}, ""},
		"node down":            {[]string{"do kill a2", "expect node a2 down"}, ""},
		"node not down":        {[]string{"expect node a2 down"}, "want down, have up"},
		"node unknown":         {[]string{"expect node a9 up"}, `there is no node "a9"`},
		"last change ok":       {[]string{"do set k 1", "expect last change ok"}, ""},
		"last change failed":   {[]string{"do kill a2", "do kill a3", "do 1rtt off", "do set k 1", "expect last change failed"}, ""},
		"last change not ok":   {[]string{"do kill a2", "do kill a3", "do set k 1", "expect last change ok"}, "want ok, have failed"},
		"last change unknown":  {[]string{"do set k 1", "do oneway p1 a2", "do oneway p1 a3", "do set k 2", "expect last change unknown"}, ""},
		"no change yet":        {[]string{"expect last change ok"}, "no change has run yet"},
		"round trips 2":        {[]string{"do set k 1", "expect round trips 2"}, ""},
		"round trips 1":        {[]string{"do set k 1", "do set k 2", "expect round trips 1"}, ""},
		"round trips differ":   {[]string{"do 1rtt off", "do set k 1", "do set k 2", "expect round trips 1"}, "want 1, have 2"},
		"trace contains":       {[]string{"do set k 1", `expect trace contains "ACCEPT QUORUM WON"`}, ""},
		"trace lacks":          {[]string{"do set k 1", `expect trace contains "conflict"`}, `no line of this step's trace contains "conflict"`},
		"output contains":      {[]string{"do set k 1", `expect output contains "1 (version 1)"`}, ""},
		"output lacks":         {[]string{"do set k 1", `expect output contains "version 2"`}, `the last command answered "set k 1 → 1 (version 1)"`},
		"checker linearizable": {[]string{"do set k 1", "do p2: get k", "expect checker linearizable"}, ""},
		"checker not violated": {[]string{"do set k 1", "expect checker violation"}, "want violation, have linearizable"},
		"checker violation": {[]string{"quorum 1 1 unsafe", "do partition p1 a2", "do partition p1 a3",
			"do partition p2 a1", "do partition p2 a2", "do p1: set k 1", "do p2: get k", "expect checker violation"}, ""},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			out, err := play(t, tc.lines...)
			switch {
			case tc.fails == "" && err != nil:
				t.Fatalf("want every checkpoint to hold, have %v\n%s", err, out)
			case tc.fails != "" && (!errors.Is(err, ErrCheckpoint) || !strings.Contains(err.Error(), tc.fails)):
				t.Fatalf("want a failed checkpoint saying %q, have %v\n%s", tc.fails, err, out)
			}
		})
	}
}

func TestRunner_Statements(t *testing.T) {
	tests := map[string]struct {
		lines []string
		fails string // "" when the script runs
		shows string // in the output
	}{
		"say":                   {[]string{"say hello learner"}, "", "  hello learner"},
		"do by proposer":        {[]string{"do p2: set k 1"}, "", "$ p2: set k 1"},
		"unknown proposer":      {[]string{"do p7: set k 1"}, `t.demo:3: demos: statement failed: do: tui: not available here: there is no proposer "p7"`, ""},
		"unknown command":       {[]string{"do fly k"}, `t.demo:3: demos: statement failed: do fly k: tui: bad command: unknown command "fly"`, ""},
		"bad node":              {[]string{"do kill a9"}, "statement failed: do kill a9", ""},
		"inspect":               {[]string{"do set k 1", "do inspect k"}, "", "a2: k promised"},
		"help":                  {[]string{"do help kill"}, "", "kill NODE: crash a node"},
		"ask":                   {[]string{`ask "Ready?" yes`}, "", "? Ready?\n  answer: yes"},
		"quorum unsafe refused": {[]string{"quorum 1 1"}, "statement failed: quorum", ""},
		"hold and release": {[]string{"do 1rtt off", "hold accept to a1", "do set k 1", "expect last change ok",
			"release accept to a1", "expect value k = 1"}, "", "▶ release accept to a1"},
		"release unheld": {[]string{"release accept to a1"}, "no hold statement holds exactly these messages", ""},
		"start and wait": {[]string{"do 1rtt off", "hold accept by p1", "start p1: set k 1", "deliver accept to a1",
			"deliver accept to a2", "wait", "expect last change ok", "release accept by p1", "expect value k = 1"}, "", "$ wait for set k 1"},
		"dropped reply": {[]string{"do 1rtt off", "hold accept replies", "start set k 1", "drop accept replies from a1",
			"deliver accept replies from a2", "deliver accept replies from a3", "wait", "release accept replies",
			"expect last change ok", "do inspect k"}, "", "a1: k promised 1:p1, accepted 1:p1 = 1 (version 1)"},
		"deliver nothing":  {[]string{"hold accept to a1", "deliver prepare to a2"}, "no such message was held", ""},
		"wait for nothing": {[]string{"wait"}, "no change was begun with start", ""},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			out, err := play(t, tc.lines...)
			switch {
			case tc.fails == "" && err != nil:
				t.Fatalf("want the script to run, have %v\n%s", err, out)
			case tc.fails != "" && (!errors.Is(err, ErrStatement) || !strings.Contains(err.Error(), tc.fails)):
				t.Fatalf("want a failed statement saying %q, have %v\n%s", tc.fails, err, out)
			case !strings.Contains(out, tc.shows):
				t.Errorf("want the output to show %q, have\n%s", tc.shows, out)
			}
		})
	}
}

func TestBuiltin_Headless(t *testing.T) {
	all, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range all {
		t.Run(s.Name, func(t *testing.T) {
			r := NewRunner(context.Background(), newEnv(t))
			defer r.Close()
			var out strings.Builder
			err := r.Run(s, &out)
			if err != nil {
				t.Fatalf("%v\n%s", err, out.String())
			}
		})
	}
}
