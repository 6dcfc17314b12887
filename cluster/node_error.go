package cluster

import (
	"errors"
	"fmt"
)

// Lifecycle errors, wrapped by *ActionError.
var (
	// ErrRemoteNode: the action needs a node we run ourselves.
	ErrRemoteNode = errors.New("cluster: action not available on a remote node")
	// ErrNodeState: the node is not in a state the action applies to.
	ErrNodeState = errors.New("cluster: action not available in the node's state")
	// ErrNodeClosed: the node was closed and can do nothing more.
	ErrNodeClosed = errors.New("cluster: node closed")
)

// ActionError explains why a lifecycle action was refused, for example
// "a2 is a remote node: kill is not available; use link faults".
type ActionError struct {
	Node   string
	Action string
	State  NodeState
	Err    error // ErrRemoteNode, ErrNodeState or ErrNodeClosed
}

func (e *ActionError) Error() string {
	switch {
	case errors.Is(e.Err, ErrRemoteNode):
		return fmt.Sprintf("%s is a remote node: %s is not available; use link faults", e.Node, e.Action)
	case errors.Is(e.Err, ErrNodeClosed):
		return fmt.Sprintf("%s is closed: %s is not available", e.Node, e.Action)
	case e.State == NodeDown:
		return fmt.Sprintf("%s is down: %s is not available; restart it first", e.Node, e.Action)
	case e.State == NodePaused:
		return fmt.Sprintf("%s is paused: %s is not available; resume it first", e.Node, e.Action)
	}
	return fmt.Sprintf("%s is %s: %s is not available", e.Node, e.State, e.Action)
}

func (e *ActionError) Unwrap() error { return e.Err }
