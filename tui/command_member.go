package tui

import (
	"fmt"
	"net"
	"strconv"
)

// memberCommand changes or shows the cluster's membership.
type memberCommand struct {
	Op   string // add, remove, replace, status
	Node string // remove and replace: the node that leaves
	Addr string // add and replace: host:port of the node that joins, "" to start one
}

// gcCommand collects a key's garbage now, or turns the background
// collector on or off.
type gcCommand struct {
	Key string // "" for gc run
	Run bool   // gc run on|off: the collector's new state
}

func (memberCommand) commandName() string { return "member" }

// writes reports whether the command changes the cluster: every member
// command but status.
func (c memberCommand) writes() bool  { return c.Op != "status" }
func (gcCommand) commandName() string { return "gc" }

func parseMember(s *spec, args []string, _ string) (command, error) {
	if len(args) == 0 {
		return nil, usageError(s, "expected add, remove, replace or status")
	}
	c := memberCommand{Op: args[0]}
	args = args[1:]
	var err error
	switch c.Op {
	case "status":
		if len(args) != 0 {
			err = usageError(s, "member status takes no arguments")
		}
	case "add":
		if len(args) > 1 {
			err = usageError(s, "member add takes at most the new node's host:port")
		} else if len(args) == 1 {
			c.Addr, err = parseHostPort(s, args[0])
		}
	case "remove":
		if len(args) != 1 {
			err = usageError(s, "member remove takes the name of the node that leaves, such as a3")
		} else {
			c.Node = args[0]
		}
	case "replace":
		if len(args) < 1 || len(args) > 2 {
			err = usageError(s, "member replace takes the node that leaves and, optionally, the new node's host:port")
		} else {
			c.Node = args[0]
			if len(args) == 2 {
				c.Addr, err = parseHostPort(s, args[1])
			}
		}
	default:
		err = usageError(s, fmt.Sprintf("%q is not add, remove, replace or status", c.Op))
	}
	if err != nil {
		return nil, err
	}
	return c, nil
}

// parseHostPort checks a node's address, host:port.
func parseHostPort(s *spec, arg string) (string, error) {
	host, port, err := net.SplitHostPort(arg)
	if err != nil || host == "" {
		return "", usageError(s, fmt.Sprintf("%q is not an address host:port such as 127.0.0.1:6390", arg))
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return "", usageError(s, fmt.Sprintf("port %q of %s is not a number from 1 to 65535", port, arg))
	}
	return arg, nil
}

func parseGC(s *spec, args []string, _ string) (command, error) {
	switch {
	case len(args) == 2 && args[0] == "run":
		on, err := parseOnOff(s, args[1:])
		return gcCommand{Run: on}, err
	case len(args) == 1 && args[0] == "run":
		return nil, usageError(s, "gc run needs on or off")
	case len(args) == 1:
		return gcCommand{Key: args[0]}, nil
	}
	return nil, usageError(s, "expected a key, or run on|off")
}
