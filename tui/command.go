package tui

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// command is a parsed command line. Each kind is its own type, so running
// one is a type switch and a malformed line never gets that far.
type command interface{ commandName() string }

// kvCommand reads or changes a key through a proposer.
type kvCommand struct {
	Op      string // get, set, cas, incr, del, change
	Key     string
	Value   string // set and cas
	Version uint64 // cas
	Expr    string // change
}

// nodeCommand runs a lifecycle action on a node.
type nodeCommand struct {
	Action NodeAction
	Node   string
}

// linkCommand sets a fault on the links between proposers and acceptors.
type linkCommand struct {
	Fault    string // partition, oneway, drop, delay
	Proposer string // "*" for all
	Acceptor string // "*" for all
	Prob     float64
	Delay    time.Duration
}

// healCommand removes link faults: of one link, or of all when empty.
type healCommand struct{ Proposer, Acceptor string }

// stepCommand turns step mode on or off.
type stepCommand struct{ On bool }

// queueCommand acts on a message held in step mode.
type queueCommand struct {
	Deliver bool   // deliver, else drop
	ID      uint64 // 0: the oldest
}

// oneRTTCommand switches the one-round-trip optimization of every proposer.
type oneRTTCommand struct{ On bool }

// loadCommand starts or stops the background workload.
type loadCommand struct {
	Start   bool
	Clients int
}

// proposerAddCommand starts one more proposer.
type proposerAddCommand struct{}

// filterCommand restricts the protocol panel; empty fields match all.
type filterCommand struct{ Key, Proposer string }

// inspectCommand opens the key inspector on a key.
type inspectCommand struct{ Key string }

// helpCommand explains one command, or lists them all.
type helpCommand struct{ Topic string }

// quitCommand leaves the dashboard.
type quitCommand struct{}

func (c kvCommand) commandName() string   { return c.Op }
func (c nodeCommand) commandName() string { return c.Action.String() }
func (c linkCommand) commandName() string { return c.Fault }
func (healCommand) commandName() string   { return "heal" }
func (stepCommand) commandName() string   { return "step" }
func (c queueCommand) commandName() string {
	return map[bool]string{true: "deliver", false: "discard"}[c.Deliver]
}
func (oneRTTCommand) commandName() string      { return "1rtt" }
func (loadCommand) commandName() string        { return "load" }
func (proposerAddCommand) commandName() string { return "proposer" }
func (filterCommand) commandName() string      { return "filter" }
func (inspectCommand) commandName() string     { return "inspect" }
func (helpCommand) commandName() string        { return "help" }
func (quitCommand) commandName() string        { return "quit" }

// argKind tells the completer what an argument is.
type argKind uint8

const (
	argNone argKind = iota
	argKey
	argNode
	argProposer
	argOnOff
	argWord    // a fixed choice, from spec.words
	argKeyWord // a key or one of spec.words
)

// spec describes one command for parsing, completion and help.
type spec struct {
	name    string
	usage   string
	summary string
	example string
	writes  bool      // refused in read-only mode
	args    []argKind // for completion
	words   []string  // choices of argWord
	parse   func(s *spec, args []string, rest string) (command, error)
}

// errUsage is wrapped by every parse error; the message says what was
// expected and gives an example.
var errUsage = errors.New("tui: bad command")

// usageError explains a malformed command in words.
func usageError(s *spec, why string) error {
	return fmt.Errorf("%w: %s: %s; usage: %s, for example  %s", errUsage, s.name, why, s.usage, s.example)
}

// parseCommand parses one command line.
func parseCommand(line string) (command, error) {
	fields := strings.Fields(line)
	if len(fields) == 0 {
		return nil, fmt.Errorf("%w: empty command; type  help  to list the commands", errUsage)
	}
	s := findSpec(fields[0])
	if s == nil {
		return nil, fmt.Errorf("%w: unknown command %q; type  help  to list the commands", errUsage, fields[0])
	}
	rest := strings.TrimSpace(strings.TrimSpace(line)[len(fields[0]):])
	return s.parse(s, fields[1:], rest)
}

func findSpec(name string) *spec {
	name = strings.ToLower(name)
	specs := commandSpecs()
	for i := range specs {
		if specs[i].name == name {
			return &specs[i]
		}
	}
	return nil
}

// specNames returns the names of every command.
func specNames() []string {
	specs := commandSpecs()
	names := make([]string, len(specs))
	for i, s := range specs {
		names[i] = s.name
	}
	return names
}

// parseNumber parses a non-negative integer argument.
func parseNumber(s *spec, what, arg string) (uint64, error) {
	n, err := strconv.ParseUint(arg, 10, 64)
	if err != nil {
		return 0, usageError(s, fmt.Sprintf("%s %q is not a whole number", what, arg))
	}
	return n, nil
}

// parseOnOff parses "on" or "off".
func parseOnOff(s *spec, args []string) (bool, error) {
	if len(args) != 1 || !slices.Contains([]string{"on", "off"}, strings.ToLower(args[0])) {
		return false, usageError(s, "expected on or off")
	}
	return strings.EqualFold(args[0], "on"), nil
}

// parseProb parses a probability, "30%" or "0.3".
func parseProb(s *spec, arg string) (float64, error) {
	pct := strings.HasSuffix(arg, "%")
	v, err := strconv.ParseFloat(strings.TrimSuffix(arg, "%"), 64)
	if pct {
		v /= 100
	}
	if err != nil || v < 0 || v > 1 {
		return 0, usageError(s, fmt.Sprintf("%q is not a probability between 0%% and 100%%", arg))
	}
	return v, nil
}

// after returns rest without its first n fields.
func after(rest string, n int) string {
	for range n {
		rest = strings.TrimLeft(rest, " \t")
		i := strings.IndexAny(rest, " \t")
		if i < 0 {
			return ""
		}
		rest = rest[i:]
	}
	return strings.TrimSpace(rest)
}

// splitLink reads "[proposer] acceptor": a single name is an acceptor on
// the links of every proposer.
func splitLink(args []string) (proposer, acceptor string) {
	if len(args) == 1 {
		return "*", args[0]
	}
	return args[0], args[1]
}
