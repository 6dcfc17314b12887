package cluster

import (
	"fmt"
	"time"
)

// NodeState is where a node is in its lifecycle.
type NodeState uint8

// The states of a node.
const (
	// NodeDown: not running, never started, killed or closed. Requests
	// are refused.
	NodeDown NodeState = iota
	// NodeUp: running and serving requests.
	NodeUp
	// NodePaused: running but frozen. Requests hang and execute late,
	// once the node is resumed.
	NodePaused
	// NodeWiped: running, but it came back empty after a wipe. It holds no
	// cluster identity, so proposers refuse it as a voter until it is
	// added again through the membership procedure.
	NodeWiped
)

var nodeStateNames = [...]string{NodeDown: "down", NodeUp: "up", NodePaused: "paused", NodeWiped: "wiped"}

// String returns "down", "up", "paused" or "wiped".
func (s NodeState) String() string {
	if int(s) < len(nodeStateNames) {
		return nodeStateNames[s]
	}
	return fmt.Sprintf("NodeState(%d)", uint8(s))
}

// MarshalText writes the state as its name, so events read well as JSON.
func (s NodeState) MarshalText() ([]byte, error) {
	if int(s) >= len(nodeStateNames) {
		return nil, fmt.Errorf("cluster: unknown node state %d", uint8(s))
	}
	return []byte(s.String()), nil
}

// UnmarshalText reads a state written by MarshalText.
func (s *NodeState) UnmarshalText(b []byte) error {
	for i, name := range nodeStateNames {
		if name == string(b) {
			*s = NodeState(i)
			return nil
		}
	}
	return fmt.Errorf("cluster: unknown node state %q: want down, up, paused or wiped", b)
}

// NodeStateChanged is traced each time a node changes state: Node is its
// name ("a1") and State the state it is now in.
type NodeStateChanged struct {
	At    time.Time `json:"at"`
	Node  string    `json:"node"`
	State NodeState `json:"state"`
}

// Kind implements paxos.Event.
func (NodeStateChanged) Kind() string { return "cluster.node" }
