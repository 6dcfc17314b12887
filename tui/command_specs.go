package tui

import (
	"fmt"
	"time"
)

// commandSpecs lists every command of the command line, in the order of
// help.
func commandSpecs() []spec {
	return []spec{
		{name: "get", usage: "get KEY", summary: "read a key (a change that keeps the value)", example: "get k",
			args: []argKind{argKey}, parse: parseKV},
		{name: "set", usage: "set KEY VALUE", summary: "write a value", example: "set k hello", writes: true,
			args: []argKind{argKey}, parse: parseKV},
		{name: "cas", usage: "cas KEY VERSION VALUE", summary: "write only if the key is at VERSION", example: "cas k 3 hello",
			writes: true, args: []argKind{argKey}, parse: parseKV},
		{name: "incr", usage: "incr KEY", summary: "add one to a number", example: "incr k", writes: true,
			args: []argKind{argKey}, parse: parseKV},
		{name: "del", usage: "del KEY", summary: "delete a key (writes a tombstone)", example: "del k", writes: true,
			args: []argKind{argKey}, parse: parseKV},
		{name: "change", usage: "change KEY EXPR", summary: "apply an update expression to x, the current value",
			example: "change k x == nil ? 1 : x * 2", writes: true, args: []argKind{argKey}, parse: parseKV},

		{name: "kill", usage: "kill NODE", summary: "crash a node", example: "kill a2", writes: true,
			args: []argKind{argNode}, parse: parseNode(NodeKill)},
		{name: "pause", usage: "pause NODE", summary: "freeze a node: requests hang and run late", example: "pause a2",
			writes: true, args: []argKind{argNode}, parse: parseNode(NodePause)},
		{name: "resume", usage: "resume NODE", summary: "unfreeze a paused node", example: "resume a2", writes: true,
			args: []argKind{argNode}, parse: parseNode(NodeResume)},
		{name: "restart", usage: "restart NODE", summary: "start a node again with its data", example: "restart a2",
			writes: true, args: []argKind{argNode}, parse: parseNode(NodeRestart)},
		{name: "wipe", usage: "wipe NODE", summary: "restart a node empty, as after a disk failure", example: "wipe a2",
			writes: true, args: []argKind{argNode}, parse: parseNode(NodeWipe)},

		{name: "partition", usage: "partition [PROPOSER] ACCEPTOR", summary: "cut a link: requests fail",
			example: "partition p1 a3", writes: true, args: []argKind{argProposer, argNode}, parse: parseLink},
		{name: "oneway", usage: "oneway [PROPOSER] ACCEPTOR", summary: "lose the replies of a link: requests still run",
			example: "oneway p1 a3", writes: true, args: []argKind{argProposer, argNode}, parse: parseLink},
		{name: "drop", usage: "drop [PROPOSER] ACCEPTOR PERCENT", summary: "lose messages of a link at random",
			example: "drop p1 a2 30%", writes: true, args: []argKind{argProposer, argNode}, parse: parseLink},
		{name: "delay", usage: "delay [PROPOSER] ACCEPTOR DURATION", summary: "slow a link down",
			example: "delay a2 50ms", writes: true, args: []argKind{argNode}, parse: parseLink},
		{name: "heal", usage: "heal [[PROPOSER] ACCEPTOR]", summary: "remove link faults (all without arguments)",
			example: "heal", writes: true, args: []argKind{argProposer, argNode}, parse: parseHeal},

		{name: "step", usage: "step on|off", summary: "hold every message until you deliver or drop it",
			example: "step on", writes: true, args: []argKind{argOnOff}, parse: parseStep},
		{name: "deliver", usage: "deliver [ID]", summary: "deliver a held message (the oldest without ID)",
			example: "deliver 3", writes: true, parse: parseQueue(true)},
		{name: "discard", usage: "discard [ID]", summary: "drop a held message (the oldest without ID)",
			example: "discard 3", writes: true, parse: parseQueue(false)},
		{name: "1rtt", usage: "1rtt on|off", summary: "skip the prepare phase when a key's promise is cached",
			example: "1rtt off", args: []argKind{argOnOff}, parse: parseOneRTT},
		{name: "load", usage: "load start [CLIENTS] | load stop", summary: "run a read-modify-write workload",
			example: "load start 8", writes: true, args: []argKind{argWord}, words: []string{"start", "stop"}, parse: parseLoad},
		{name: "proposer", usage: "proposer add", summary: "start one more proposer", example: "proposer add",
			args: []argKind{argWord}, words: []string{"add"}, parse: parseProposer},
		{name: "member", usage: "member add|remove|replace|status [NODE] [HOST:PORT]",
			summary: "add [HOST:PORT] grows the cluster (here, a new node without HOST:PORT), remove NODE shrinks it, " +
				"replace NODE [HOST:PORT] swaps a node for an empty one, status shows the plan",
			example: "member add", writes: true, args: []argKind{argWord, argNode},
			words: []string{"add", "remove", "replace", "status"}, parse: parseMember},
		{name: "gc", usage: "gc KEY | gc run on|off", summary: "remove a deleted key from the acceptors now, or run the collector",
			example: "gc k", writes: true, args: []argKind{argKeyWord}, words: []string{"run"}, parse: parseGC},

		{name: "filter", usage: "filter key KEY | filter proposer ID | filter off", summary: "show only some changes",
			example: "filter key k", args: []argKind{argWord}, words: []string{"key", "proposer", "off"}, parse: parseFilter},
		{name: "inspect", usage: "inspect KEY", summary: "show each acceptor's state of a key", example: "inspect k",
			args: []argKind{argKey}, parse: parseInspect},
		{name: "export", usage: "export mermaid|text FILE [CHANGE|FROM-TO] [--force] | export history FILE",
			summary: "write the trace, a change (p1#12) or events FROM-TO as a diagram, or the load's history",
			example: "export mermaid change.md p1#3", args: []argKind{argWord},
			words: []string{ExportMermaid, ExportText, exportHistory}, parse: parseExport},
		{name: "seek", usage: "seek EVENT|PERCENT%|CHANGE|TIME", summary: "move a replay to an event, a share, a change or a time",
			example: "seek p1#3", parse: parseSeek},
		{name: "help", usage: "help [COMMAND]", summary: "list the commands, or explain one", example: "help drop",
			args: []argKind{argWord}, parse: parseHelp},
		{name: "quit", usage: "quit", summary: "leave the dashboard", example: "quit", parse: parseQuit},
	}
}

func parseKV(s *spec, args []string, rest string) (command, error) {
	need := map[string]int{"get": 1, "incr": 1, "del": 1, "set": 2, "change": 2, "cas": 3}[s.name]
	if len(args) < need {
		return nil, usageError(s, fmt.Sprintf("expected %d argument(s), have %d", need, len(args)))
	}
	c := kvCommand{Op: s.name, Key: args[0]}
	switch s.name {
	case "get", "incr", "del":
		if len(args) > 1 {
			return nil, usageError(s, "expected only a key")
		}
	case "set":
		c.Value = after(rest, 1)
	case "change":
		c.Expr = after(rest, 1)
	case "cas":
		v, err := parseNumber(s, "version", args[1])
		if err != nil {
			return nil, err
		}
		c.Version, c.Value = v, after(rest, 2)
	}
	return c, nil
}

func parseNode(a NodeAction) func(*spec, []string, string) (command, error) {
	return func(s *spec, args []string, _ string) (command, error) {
		if len(args) != 1 {
			return nil, usageError(s, "expected one node name")
		}
		return nodeCommand{Action: a, Node: args[0]}, nil
	}
}

func parseLink(s *spec, args []string, _ string) (command, error) {
	names := args
	var last string
	if s.name == "drop" || s.name == "delay" {
		if len(args) == 0 {
			return nil, usageError(s, "expected an acceptor and an amount")
		}
		names, last = args[:len(args)-1], args[len(args)-1]
	}
	if len(names) < 1 || len(names) > 2 {
		return nil, usageError(s, "expected an acceptor, or a proposer and an acceptor")
	}
	c := linkCommand{Fault: s.name}
	c.Proposer, c.Acceptor = splitLink(names)
	var err error
	switch s.name {
	case "drop":
		c.Prob, err = parseProb(s, last)
	case "delay":
		c.Delay, err = time.ParseDuration(last)
		if err != nil || c.Delay < 0 {
			err = usageError(s, fmt.Sprintf("%q is not a duration such as 50ms or 1s", last))
		}
	}
	if err != nil {
		return nil, err
	}
	return c, nil
}

func parseHeal(s *spec, args []string, _ string) (command, error) {
	switch len(args) {
	case 0:
		return healCommand{}, nil
	case 1, 2:
		p, a := splitLink(args)
		return healCommand{Proposer: p, Acceptor: a}, nil
	}
	return nil, usageError(s, "expected at most a proposer and an acceptor")
}

func parseStep(s *spec, args []string, _ string) (command, error) {
	on, err := parseOnOff(s, args)
	return stepCommand{On: on}, err
}

func parseQueue(deliver bool) func(*spec, []string, string) (command, error) {
	return func(s *spec, args []string, _ string) (command, error) {
		if len(args) > 1 {
			return nil, usageError(s, "expected at most one message ID")
		}
		c := queueCommand{Deliver: deliver}
		if len(args) == 1 {
			id, err := parseNumber(s, "message ID", args[0])
			if err != nil {
				return nil, err
			}
			c.ID = id
		}
		return c, nil
	}
}

func parseOneRTT(s *spec, args []string, _ string) (command, error) {
	on, err := parseOnOff(s, args)
	return oneRTTCommand{On: on}, err
}

// maxClients bounds the workload's clients.
const maxClients = 256

func parseLoad(s *spec, args []string, _ string) (command, error) {
	switch {
	case len(args) == 1 && args[0] == "stop":
		return loadCommand{}, nil
	case len(args) == 1 && args[0] == "start":
		return loadCommand{Start: true, Clients: 4}, nil
	case len(args) == 2 && args[0] == "start":
		n, err := parseNumber(s, "clients", args[1])
		if err != nil {
			return nil, err
		}
		if n < 1 || n > maxClients {
			return nil, usageError(s, fmt.Sprintf("clients must be between 1 and %d", maxClients))
		}
		return loadCommand{Start: true, Clients: int(n)}, nil
	}
	return nil, usageError(s, "expected start or stop")
}

func parseProposer(s *spec, args []string, _ string) (command, error) {
	if len(args) != 1 || args[0] != "add" {
		return nil, usageError(s, "expected add")
	}
	return proposerAddCommand{}, nil
}

func parseFilter(s *spec, args []string, _ string) (command, error) {
	switch {
	case len(args) == 1 && args[0] == "off":
		return filterCommand{}, nil
	case len(args) == 2 && args[0] == "key":
		return filterCommand{Key: args[1]}, nil
	case len(args) == 2 && args[0] == "proposer":
		return filterCommand{Proposer: args[1]}, nil
	}
	return nil, usageError(s, "expected key KEY, proposer ID or off")
}

func parseInspect(s *spec, args []string, _ string) (command, error) {
	if len(args) != 1 {
		return nil, usageError(s, "expected one key")
	}
	return inspectCommand{Key: args[0]}, nil
}

func parseHelp(s *spec, args []string, _ string) (command, error) {
	switch len(args) {
	case 0:
		return helpCommand{}, nil
	case 1:
		if findSpec(args[0]) == nil {
			return nil, usageError(s, fmt.Sprintf("there is no command %q", args[0]))
		}
		return helpCommand{Topic: args[0]}, nil
	}
	return nil, usageError(s, "expected at most one command name")
}

func parseQuit(s *spec, args []string, _ string) (command, error) {
	if len(args) > 0 {
		return nil, usageError(s, "expected no arguments")
	}
	return quitCommand{}, nil
}
