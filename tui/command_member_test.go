package tui

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestCommand_ParseMemberAndGC(t *testing.T) {
	tests := map[string]struct {
		line string
		want command
	}{
		"member add local":     {"member add", memberCommand{Op: "add"}},
		"member add address":   {"member add 127.0.0.1:6390", memberCommand{Op: "add", Addr: "127.0.0.1:6390"}},
		"member remove":        {"member remove a3", memberCommand{Op: "remove", Node: "a3"}},
		"member replace local": {"member replace a2", memberCommand{Op: "replace", Node: "a2"}},
		"member replace addr":  {"member replace a2 10.0.0.7:6379", memberCommand{Op: "replace", Node: "a2", Addr: "10.0.0.7:6379"}},
		"member status":        {"member status", memberCommand{Op: "status"}},
		"gc key":               {"gc k", gcCommand{Key: "k"}},
		"gc run on":            {"gc run on", gcCommand{Run: true}},
		"gc run off":           {"gc run off", gcCommand{}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			have, err := parseCommand(tc.line)
			if err != nil {
				t.Fatalf("want %#v, have error %v", tc.want, err)
			}
			if have != tc.want {
				t.Errorf("want %#v, have %#v", tc.want, have)
			}
		})
	}
}

func TestCommand_MemberAndGCErrorsInWords(t *testing.T) {
	tests := map[string]struct {
		line string
		want string
	}{
		"no operation":         {"member", "expected add, remove, replace or status"},
		"unknown operation":    {"member grow", `"grow" is not add, remove, replace or status`},
		"remove without node":  {"member remove", "takes the name of the node that leaves"},
		"bad address":          {"member add localhost", `"localhost" is not an address host:port`},
		"bad port":             {"member replace a2 h:99999", `port "99999" of h:99999 is not a number from 1 to 65535`},
		"status with argument": {"member status a1", "member status takes no arguments"},
		"gc without key":       {"gc", "expected a key, or run on|off"},
		"gc run without state": {"gc run", "gc run needs on or off"},
		"gc run maybe":         {"gc run maybe", "expected on or off"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := parseCommand(tc.line)
			if !errors.Is(err, errUsage) {
				t.Fatalf("want a usage error, have %v", err)
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "for example") {
				t.Errorf("want %q and an example in the error, have %q", tc.want, err)
			}
		})
	}
}

func TestComplete_MemberAndGC(t *testing.T) {
	c := completion{Nodes: []string{"a1", "a2"}, Keys: []string{"k", "r"}}
	tests := map[string]struct {
		line string
		want []string
	}{
		"member operations":  {"member r", []string{"member remove", "member replace"}},
		"member node":        {"member remove a", []string{"member remove a1", "member remove a2"}},
		"member add no node": {"member add ", nil},
		"gc key or run":      {"gc r", []string{"gc run", "gc r"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if have := complete(tc.line, c); !slices.Equal(have, tc.want) {
				t.Errorf("want %q, have %q", tc.want, have)
			}
		})
	}
}
