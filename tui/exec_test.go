package tui

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestExecutor_RunsCommandLines(t *testing.T) {
	tests := map[string]struct {
		lines []string
		want  string // in the output of the last line
	}{
		"set":       {[]string{"set k 1"}, "set k 1 → 1 (version 1)"},
		"get":       {[]string{"set k 7", "get k"}, "get k → 7 (version 1)"},
		"kill":      {[]string{"kill a2"}, "kill a2: done"},
		"partition": {[]string{"partition p1 a3"}, "partition p1 a3: done"},
		// set returns once a quorum accepted: which two acceptors is not known.
		"inspect":  {[]string{"set k 1", "inspect k"}, ": k promised 2:p1, accepted 1:p1 = 1 (version 1)"},
		"help":     {[]string{"help kill"}, "kill NODE: crash a node; for example  kill a2"},
		"help all": {[]string{"help"}, "partition [PROPOSER] ACCEPTOR"},
		"1rtt":     {[]string{"1rtt off"}, "1rtt off: done"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			te := newTestEnv(t)
			ex := NewExecutor(context.Background(), te.env)
			defer ex.Close()
			var out string
			for _, line := range tc.lines {
				var err error
				if out, err = ex.Exec(line); err != nil {
					t.Fatalf("%s: %v", line, err)
				}
			}
			if !strings.Contains(out, tc.want) {
				t.Errorf("want %q, have %q", tc.want, out)
			}
		})
	}
}

func TestExecutor_ActsOnTheEnv(t *testing.T) {
	te := newTestEnv(t)
	ex := NewExecutor(context.Background(), te.env)
	if _, err := ex.Exec("kill a2"); err != nil {
		t.Fatal(err)
	}
	if want, have := "down", te.nodes.nodes[1].get(); want != have {
		t.Errorf("kill a2: want a2 %s, have %s", want, have)
	}
	if _, err := ex.Exec("oneway p1 a3"); err != nil {
		t.Fatal(err)
	}
	if log := te.links.log(); len(log) == 0 || log[len(log)-1] != "oneway p1 a3" {
		t.Errorf("want the links to record oneway p1 a3, have %v", log)
	}
}

func TestExecutor_Errors(t *testing.T) {
	tests := map[string]struct {
		line  string
		usage bool
		says  string
	}{
		"unknown command": {"fly k", true, `unknown command "fly"`},
		"bad arguments":   {"set", true, "set: expected 2 argument(s)"},
		"empty":           {"  ", true, "empty command"},
		"unknown node":    {"kill a9", false, "a9"},
		"nothing held":    {"discard", false, "no message is held"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			ex := NewExecutor(context.Background(), newTestEnv(t).env)
			_, err := ex.Exec(tc.line)
			if err == nil || IsUsage(err) != tc.usage || !strings.Contains(err.Error(), tc.says) {
				t.Errorf("want an error saying %q (usage %v), have %v", tc.says, tc.usage, err)
			}
		})
	}
}

func TestExecutor_Use(t *testing.T) {
	ex := NewExecutor(context.Background(), newTestEnv(t).env)
	if err := ex.Use("p1"); err != nil {
		t.Errorf("want p1 found, have %v", err)
	}
	err := ex.Use("p9")
	if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "the proposers are p1") {
		t.Errorf("want p9 refused, naming p1, have %v", err)
	}
}

func TestExecutor_StartRunsLater(t *testing.T) {
	te := newTestEnv(t)
	ex := NewExecutor(context.Background(), te.env)
	wait, err := ex.Start("set k 5")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := te.nodes.Inspect(context.Background(), "a1", "k"); err != nil {
		t.Fatal(err)
	}
	out, err := wait()
	if err != nil || !strings.Contains(out, "5 (version 1)") {
		t.Errorf("want set k 5 done, have %q, %v", out, err)
	}
	if _, err := ex.Start("nonsense"); !IsUsage(err) {
		t.Errorf("want a usage error at start, have %v", err)
	}
}
