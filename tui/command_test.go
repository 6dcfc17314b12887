package tui

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestCommand_Parse(t *testing.T) {
	tests := map[string]struct {
		line string
		want command
	}{
		"get":                {"get k", kvCommand{Op: "get", Key: "k"}},
		"set keeps spaces":   {"set k  hello  world ", kvCommand{Op: "set", Key: "k", Value: "hello  world"}},
		"cas":                {"cas k 3 v", kvCommand{Op: "cas", Key: "k", Version: 3, Value: "v"}},
		"incr":               {"incr k", kvCommand{Op: "incr", Key: "k"}},
		"del":                {"del k", kvCommand{Op: "del", Key: "k"}},
		"change":             {"change k x == nil ? 1 : x + 1", kvCommand{Op: "change", Key: "k", Expr: "x == nil ? 1 : x + 1"}},
		"kill":               {"kill a2", nodeCommand{Action: NodeKill, Node: "a2"}},
		"pause":              {"pause a2", nodeCommand{Action: NodePause, Node: "a2"}},
		"resume":             {"resume a2", nodeCommand{Action: NodeResume, Node: "a2"}},
		"restart":            {"restart a2", nodeCommand{Action: NodeRestart, Node: "a2"}},
		"wipe":               {"wipe a2", nodeCommand{Action: NodeWipe, Node: "a2"}},
		"partition":          {"partition p1 a3", linkCommand{Fault: "partition", Proposer: "p1", Acceptor: "a3"}},
		"oneway":             {"oneway p1 a3", linkCommand{Fault: "oneway", Proposer: "p1", Acceptor: "a3"}},
		"drop percent":       {"drop p1 a2 30%", linkCommand{Fault: "drop", Proposer: "p1", Acceptor: "a2", Prob: 0.3}},
		"drop fraction":      {"drop a2 0.5", linkCommand{Fault: "drop", Proposer: "*", Acceptor: "a2", Prob: 0.5}},
		"delay all":          {"delay a2 50ms", linkCommand{Fault: "delay", Proposer: "*", Acceptor: "a2", Delay: 50 * time.Millisecond}},
		"heal all":           {"heal", healCommand{}},
		"heal link":          {"heal p1 a2", healCommand{Proposer: "p1", Acceptor: "a2"}},
		"step on":            {"step on", stepCommand{On: true}},
		"step OFF":           {"step OFF", stepCommand{On: false}},
		"deliver oldest":     {"deliver", queueCommand{Deliver: true}},
		"discard one":        {"discard 7", queueCommand{ID: 7}},
		"1rtt off":           {"1rtt off", oneRTTCommand{On: false}},
		"load start":         {"load start 8", loadCommand{Start: true, Clients: 8}},
		"load start default": {"load start", loadCommand{Start: true, Clients: 4}},
		"load stop":          {"load stop", loadCommand{}},
		"proposer add":       {"proposer add", proposerAddCommand{}},
		"filter key":         {"filter key k", filterCommand{Key: "k"}},
		"filter proposer":    {"filter proposer p2", filterCommand{Proposer: "p2"}},
		"filter off":         {"filter off", filterCommand{}},
		"inspect":            {"inspect k", inspectCommand{Key: "k"}},
		"help":               {"help", helpCommand{}},
		"help topic":         {"help drop", helpCommand{Topic: "drop"}},
		"quit":               {"quit", quitCommand{}},
		"upper case name":    {"GET k", kvCommand{Op: "get", Key: "k"}},
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

func TestCommand_ParseErrorsInWords(t *testing.T) {
	tests := map[string]struct {
		line string
		want string // a part of the message
	}{
		"empty":           {"  ", "empty command"},
		"unknown":         {"frobnicate k", `unknown command "frobnicate"`},
		"get no key":      {"get", "get: expected 1 argument(s), have 0; usage: get KEY, for example  get k"},
		"get two keys":    {"get a b", "expected only a key"},
		"set no value":    {"set k", "usage: set KEY VALUE"},
		"cas bad version": {"cas k x v", `version "x" is not a whole number`},
		"kill nothing":    {"kill", "kill: expected one node name"},
		"drop bad prob":   {"drop a2 150%", "not a probability"},
		"drop no amount":  {"drop", "expected an acceptor and an amount"},
		"delay bad":       {"delay a2 soon", `"soon" is not a duration`},
		"partition three": {"partition a b c", "expected an acceptor, or a proposer and an acceptor"},
		"heal three":      {"heal a b c", "at most a proposer and an acceptor"},
		"step maybe":      {"step maybe", "expected on or off"},
		"deliver bad id":  {"deliver x", `message ID "x"`},
		"load zero":       {"load start 0", "clients must be between 1 and 256"},
		"load what":       {"load go", "expected start or stop"},
		"proposer rm":     {"proposer rm", "expected add"},
		"filter bad":      {"filter value 3", "expected key KEY"},
		"help unknown":    {"help frob", `there is no command "frob"`},
		"quit args":       {"quit now", "expected no arguments"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := parseCommand(tc.line)
			if !errors.Is(err, errUsage) {
				t.Fatalf("want a usage error, have %v", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("want a message containing %q, have %q", tc.want, err)
			}
		})
	}
}

func TestCommand_EverySpecHasAWorkingExample(t *testing.T) {
	for _, s := range commandSpecs() {
		t.Run(s.name, func(t *testing.T) {
			c, err := parseCommand(s.example)
			if err != nil {
				t.Fatalf("want the example %q to parse, have %v", s.example, err)
			}
			if have := c.commandName(); have != s.name {
				t.Errorf("want command %q, have %q", s.name, have)
			}
		})
	}
}
