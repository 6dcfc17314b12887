package tui

import (
	"context"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/gryadka/gryadka/paxos"
)

func view(d *driver) string { return ansi.Strip(d.m.View()) }

func wantStatus(t *testing.T, d *driver, want string) {
	t.Helper()
	have := d.m.status.Text
	if d.m.status.Err != nil {
		have = d.m.status.Err.Error()
	}
	if !strings.Contains(have, want) {
		t.Errorf("want a status containing %q, have %q", want, have)
	}
	if line := view(d); !strings.Contains(line, want[:min(len(want), 20)]) {
		t.Errorf("want the screen to show %q, have\n%s", want, line)
	}
}

func TestModel_KVCommands(t *testing.T) {
	te := newTestEnv(t)
	d := newDriver(t, te.env, 120, 30)
	tests := []struct{ line, want string }{
		{"set k 5", "set k 5 → 5 (version 1)"},
		{"get k", "get k → 5 (version 1)"},
		{"incr k", "incr k → 6 (version 2)"},
		{"cas k 2 10", "cas k 2 10 → 10 (version 3)"},
		{"cas k 2 11", "version mismatch: expected version 2, the key is at version 3"},
		{"change k x * 2", "change k x * 2 → 20 (version 4)"},
		{"del k", "del k → deleted (version 5)"},
		{"get k", "not found"},
		{"change k x +", "expression"},
	}
	for _, tc := range tests {
		d.command(tc.line)
		wantStatus(t, d, tc.want)
	}
}

func TestModel_BadCommandAnsweredInWords(t *testing.T) {
	te := newTestEnv(t)
	d := newDriver(t, te.env, 80, 24)
	d.command("frobnicate k")
	wantStatus(t, d, `unknown command "frobnicate"; type  help  to list the commands`)
	d.command("kill")
	wantStatus(t, d, "kill: expected one node name; usage: kill NODE, for example  kill a2")
}

func TestModel_KillNodeAndCommitWithTwoOfThree(t *testing.T) {
	te := newTestEnv(t)
	d := newDriver(t, te.env, 80, 24)
	d.command("kill a2")
	wantStatus(t, d, "kill a2: done")
	if have := te.nodes.List()[1].State; have != "down" {
		t.Fatalf("want a2 down, have %s", have)
	}
	if !strings.Contains(view(d), "a2    ✗ down") {
		t.Errorf("want a2 marked down, have\n%s", view(d))
	}
	d.command("incr k")
	wantStatus(t, d, "incr k → 1 (version 1)")
	d.command("restart a2")
	wantStatus(t, d, "restart a2: done")
	if !strings.Contains(view(d), "a2    ● up") {
		t.Errorf("want a2 up again, have\n%s", view(d))
	}
}

func TestModel_NodeKeysActOnTheSelectedNode(t *testing.T) {
	te := newTestEnv(t)
	d := newDriver(t, te.env, 80, 24)
	d.keys("tab", "down", "down", "K")
	if have := te.nodes.List()[2].State; have != "down" {
		t.Errorf("want a3 down after K, have %s", have)
	}
	d.keys("R", "P")
	if have := te.nodes.List()[2].State; have != "paused" {
		t.Errorf("want a3 paused after R then P, have %s", have)
	}
	d.keys("P")
	if have := te.nodes.List()[2].State; have != "up" {
		t.Errorf("want a3 resumed by a second P, have %s", have)
	}
	d.keys("W")
	if have := te.nodes.List()[2].State; have != "wiped" {
		t.Errorf("want a3 wiped, have %s", have)
	}
}

func TestModel_LinkCommands(t *testing.T) {
	te := newTestEnv(t)
	te.links.held = []HeldMessage{{ID: 4, Proposer: "p1", Acceptor: "a1", Phase: paxos.PhasePrepare}}
	d := newDriver(t, te.env, 80, 24)
	for _, line := range []string{"partition p1 a3", "oneway a2", "drop p1 a2 30%", "delay a2 50ms", "heal p1 a3", "heal",
		"step on", "deliver", "deliver 4", "discard 4", "discard", "step off"} {
		d.command(line)
		wantStatus(t, d, line+": done")
	}
	want := []string{"partition p1 a3", "oneway * a2", "drop p1 a2 0.30", "delay * a2 50ms", "heal p1 a3", "healall",
		"step true", "delivernext", "deliver 4", "drophold 4", "drophold 4", "step false"}
	have := te.links.log()
	if strings.Join(have, "|") != strings.Join(want, "|") {
		t.Errorf("want calls %q, have %q", want, have)
	}
	te.links.failOn = "partition p1 a1"
	d.command("partition p1 a1")
	wantStatus(t, d, "fake: partition p1 a1 failed")
}

// Step mode holds messages until the user delivers them, so while it is on
// the proposers' rounds and the user's changes wait long enough for that.
func TestModel_StepModeLengthensRounds(t *testing.T) {
	te := newTestEnv(t)
	d := newDriver(t, te.env, 80, 24)
	p := te.env.Clients[0].Proposer.(LocalProposer).P
	d.command("step on")
	wantStatus(t, d, "step on: done")
	if have := p.RoundTimeout(); have != stepTimeout {
		t.Errorf("step on: want round timeout %s, have %s", stepTimeout, have)
	}
	d.command("step off")
	wantStatus(t, d, "step off: done")
	if have := p.RoundTimeout(); have != roundTimeout(false) {
		t.Errorf("step off: want round timeout %s, have %s", roundTimeout(false), have)
	}
}

func TestModel_QueueKeys(t *testing.T) {
	te := newTestEnv(t)
	te.links.held = []HeldMessage{{ID: 4, Proposer: "p1", Acceptor: "a1", Phase: paxos.PhasePrepare, Key: "k"},
		{ID: 5, Proposer: "p1", Acceptor: "a2", Reply: true, Phase: paxos.PhasePrepare, Key: "k", Summary: "promise"}}
	d := newDriver(t, te.env, 80, 24)
	d.keys("4")
	if v := view(d); !strings.Contains(v, "2 held") || !strings.Contains(v, "a2   → p1   prepare reply") {
		t.Errorf("want the held messages listed, have\n%s", v)
	}
	d.keys("n", "down", "enter", "x")
	want := "delivernext|deliver 5|drophold 5"
	if have := strings.Join(te.links.log(), "|"); have != want {
		t.Errorf("want %q, have %q", want, have)
	}
}

func TestModel_WithoutBackendsSaysWhy(t *testing.T) {
	d := newDriver(t, Env{}, 80, 24)
	for line, want := range map[string]string{
		"kill a1":      "this dashboard has no nodes to kill",
		"step on":      "this dashboard does not control the links",
		"incr k":       "there is no proposer to run incr",
		"load start":   "there is no proposer to run a load",
		"proposer add": "this dashboard cannot start proposers",
		"load stop":    "no load is running",
	} {
		d.command(line)
		wantStatus(t, d, want)
	}
}

func TestModel_ReadOnlyRefusesWrites(t *testing.T) {
	te := newTestEnv(t)
	te.env.ReadOnly = true
	d := newDriver(t, te.env, 80, 24)
	d.command("set k 1")
	wantStatus(t, d, "set changes the cluster, and the dashboard was started with --read-only")
	d.command("get k")
	wantStatus(t, d, "get k: not found")
	if !strings.Contains(view(d), "read-only") {
		t.Errorf("want the title to say read-only, have\n%s", view(d))
	}
}

func TestModel_AttachAsksBeforeWriting(t *testing.T) {
	te := newTestEnv(t)
	te.env.Attach = true
	d := newDriver(t, te.env, 80, 24)
	d.command("kill a1")
	if !strings.Contains(view(d), "kill a1 on a cluster you attached to? y/n") {
		t.Fatalf("want a question, have\n%s", view(d))
	}
	d.keys("n")
	wantStatus(t, d, "cancelled: kill a1")
	d.command("kill a1")
	d.keys("y")
	wantStatus(t, d, "kill a1: done")
}

func TestModel_OneRTTSwitch(t *testing.T) {
	te := newTestEnv(t)
	d := newDriver(t, te.env, 80, 24)
	d.command("1rtt off")
	if te.env.Clients[0].Proposer.(LocalProposer).P.OneRTT() {
		t.Error("want 1RTT off")
	}
	if !strings.Contains(view(d), "1RTT off") {
		t.Errorf("want the cluster panel to show 1RTT off, have\n%s", view(d))
	}
}

func TestModel_FilterAndInspect(t *testing.T) {
	te := newTestEnv(t)
	d := newDriver(t, te.env, 120, 40)
	from := 0
	d.command("set k 5")
	d.command("set j 7")
	d.traced(te, &from)
	d.command("filter key k")
	if v := ansi.Strip(d.m.proto.View()); strings.Contains(v, "set j") || !strings.Contains(v, "set k") || !strings.Contains(v, "key=k") {
		t.Errorf("want only key k, have\n%s", v)
	}
	d.command("filter off")
	d.command("inspect k")
	v := view(d)
	for _, want := range []string{"[2 keys]", "/3 hold 1:p1, a quorum: chosen 5 (version 1)",
		"NODE  PROMISE    ACCEPTED   VALUE", "5 (version 1)", "› j", "digest a1 "} {
		if !strings.Contains(v, want) {
			t.Errorf("want %q in\n%s", want, v)
		}
	}
}

func TestModel_HelpAndQuit(t *testing.T) {
	te := newTestEnv(t)
	d := newDriver(t, te.env, 80, 24)
	d.keys("?")
	if v := view(d); !strings.Contains(v, "partition [PROPOSER] ACCEPTOR") || !strings.Contains(v, "member add|remove") ||
		!strings.Contains(v, "help · quit") {
		t.Errorf("want every command in the help, have\n%s", v)
	}
	d.keys("esc")
	d.command("help drop")
	if v := view(d); !strings.Contains(v, "example:  drop p1 a2 30%") {
		t.Errorf("want the help of drop, have\n%s", v)
	}
	d.keys("?", "q")
	if !d.quit {
		t.Error("want q to quit")
	}
}

func TestModel_ProposerAdd(t *testing.T) {
	te := newTestEnv(t)
	te.env.AddProposer = func(context.Context) (Client, error) {
		p, err := paxos.NewProposer(paxos.Options{ID: "p2", Config: paxos.Majority(te.nodes.acceptors()...)})
		return NewLocalClient(p), err
	}
	d := newDriver(t, te.env, 80, 24)
	d.command("proposer add")
	wantStatus(t, d, "proposer p2 started")
	if v := view(d); !strings.Contains(v, "2 proposers") || !strings.Contains(v, "p2    ▲") {
		t.Errorf("want p2 listed, have\n%s", v)
	}
}

func TestModel_TooSmall(t *testing.T) {
	d := newDriver(t, Env{}, 30, 10)
	if v := view(d); !strings.Contains(v, "gryadka needs at least 40x12") {
		t.Errorf("want a message, have %q", v)
	}
	d.msg(tea.WindowSizeMsg{Width: 80, Height: 24})
	if v := view(d); strings.Count(v, "\n") != 23 {
		t.Errorf("want 24 lines after the resize, have %d", strings.Count(v, "\n")+1)
	}
}

func TestModel_KeysTypedTogetherAreTakenOneByOne(t *testing.T) {
	te := newTestEnv(t)
	d := newDriver(t, te.env, 80, 24)
	d.msg(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(":incr")})
	d.msg(tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}})
	d.msg(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("k")})
	d.keys("enter")
	wantStatus(t, d, "incr k → 1 (version 1)")
}

func TestModel_CtrlCQuitsEvenWhileTyping(t *testing.T) {
	d := newDriver(t, Env{}, 80, 24)
	d.keys(":", "s")
	d.keys("ctrl+c")
	if !d.quit {
		t.Error("want ctrl+c to quit from the prompt")
	}
}
