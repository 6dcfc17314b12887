package demos

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/golden"
)

// TestGolden_DemoScreens keeps what the dashboard's demo panel shows of
// each built-in demo, step by step, with the learner's right answers: the
// narration, the commands and their results, the checkpoints.
func TestGolden_DemoScreens(t *testing.T) {
	all, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range all {
		t.Run(s.Name, func(t *testing.T) {
			p := NewPlayer(context.Background(), newEnv(t), s)
			defer p.Close()
			var b strings.Builder
			fmt.Fprintf(&b, "%s\n%s\n", p.Title(), p.Summary())
			for i, st := range s.Steps {
				fmt.Fprintf(&b, "\n[step %d of %d: %s]\n", i+1, p.Steps(), st.Title)
				for part := range Parts(st) {
					dp := p.Play(i, part)
					b.WriteString(stable(dp.Text) + "\n")
					if dp.Err != nil {
						t.Fatal(dp.Err)
					}
					if dp.Question != "" {
						fmt.Fprintf(&b, "  [the learner answers %s]\n", dp.Answer)
					}
				}
			}
			golden.RequireEqual(t, []byte(b.String()))
		})
	}
}

// stable drops the results whose wording depends on timing: which replies
// came first, and the outcome of a read racing a repair.
func stable(text string) string {
	var keep []string
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, "quorum not reached") {
			l = l[:strings.Index(l, "quorum not reached")] + "quorum not reached"
		}
		keep = append(keep, l)
	}
	return strings.Join(keep, "\n")
}
