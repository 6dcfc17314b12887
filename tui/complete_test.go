package tui

import (
	"slices"
	"testing"
)

func TestComplete_Lines(t *testing.T) {
	c := completion{Nodes: []string{"a1", "a2", "a3"}, Proposers: []string{"p1"}, Keys: []string{"k", "kk", "j"}}
	tests := map[string]struct {
		line string
		want []string
	}{
		"empty lists every command": {"", specNames()},
		"command prefix":            {"pa", []string{"pause", "partition"}},
		"key argument":              {"get k", []string{"get k", "get kk"}},
		"key after space":           {"incr ", []string{"incr k", "incr kk", "incr j"}},
		"node argument":             {"kill a", []string{"kill a1", "kill a2", "kill a3"}},
		"proposer then node":        {"partition p1 a", []string{"partition p1 a1", "partition p1 a2", "partition p1 a3"}},
		"on off":                    {"step o", []string{"step on", "step off"}},
		"words":                     {"load s", []string{"load start", "load stop"}},
		"help topics":               {"help ki", []string{"help kill"}},
		"no more arguments":         {"kill a1 ", nil},
		"unknown command":           {"frob x", nil},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			have := complete(tc.line, c)
			if !slices.Equal(have, tc.want) {
				t.Errorf("want %q, have %q", tc.want, have)
			}
		})
	}
}
