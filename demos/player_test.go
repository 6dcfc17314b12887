package demos

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestPlayer_PlaysPartsForThePanel(t *testing.T) {
	s, err := Parse("t.demo", "demo t \"Test\"\nsummary S.\nstep \"one\"\nsay before\n"+
		"ask \"Will it commit?\" yes\ndo set k 1\nexpect value k = 1\nstep \"two\"\nexpect value k = 2\n")
	if err != nil {
		t.Fatal(err)
	}
	p := NewPlayer(context.Background(), newEnv(t), s)
	defer p.Close()
	if p.Title() != "Test" || p.Summary() != "S." || p.Steps() != 2 {
		t.Fatalf("want Test, S. and 2 steps, have %q, %q, %d", p.Title(), p.Summary(), p.Steps())
	}

	first := p.Play(0, 0)
	if first.Title != "one" || first.Question != "Will it commit?" || first.Answer != "yes" || first.Err != nil {
		t.Errorf("part 0: want the question and its answer, have %+v", first)
	}
	if strings.Contains(first.Text, "set k 1") {
		t.Errorf("part 0: want nothing past the question run, have %q", first.Text)
	}

	rest := p.Play(0, 1)
	if rest.Question != "" || rest.Err != nil || !strings.Contains(rest.Text, "→ set k 1 → 1 (version 1)") {
		t.Errorf("part 1: want the change and no question, have %+v", rest)
	}
	if strings.Contains(rest.Text, "  | ") {
		t.Errorf("part 1: want the trace left to the dashboard, have %q", rest.Text)
	}

	failed := p.Play(1, 0)
	if !errors.Is(failed.Err, ErrCheckpoint) || !strings.Contains(failed.Err.Error(), "t.demo:9:") {
		t.Errorf("step 2: want the failed checkpoint at line 9, have %v", failed.Err)
	}

	if out := p.Play(5, 0); out.Text != "" || out.Err != nil {
		t.Errorf("want nothing played for a step that does not exist, have %+v", out)
	}
}
