package tui

import (
	"context"
	"fmt"
	"time"

	"github.com/gryadka/gryadka/paxos"
	"github.com/gryadka/gryadka/trace"
)

// Nodes is what the dashboard needs of the acceptor nodes. Its methods are
// called from tea.Cmds, never from Update, and may block until ctx is done.
type Nodes interface {
	// List returns every node in display order.
	List() []NodeInfo
	// Do runs a lifecycle action on the node called name.
	Do(ctx context.Context, name string, a NodeAction) error
	// Inspect returns what the node holds for key.
	Inspect(ctx context.Context, name, key string) (paxos.MemState, error)
	// Keys returns up to count keys of the node that match the glob pattern.
	Keys(ctx context.Context, name, match string, count int) ([]string, error)
	// Digest returns a hash of every ballot and value the node holds, so
	// nodes that agree have equal digests.
	Digest(ctx context.Context, name string) (string, error)
}

// NodeInfo describes one acceptor node.
type NodeInfo struct {
	Name    string
	Addr    string
	Backend string // "embedded", "process" or "remote"
	State   string // "up", "down", "paused" or "wiped"
}

// NodeAction is a lifecycle action on a node.
type NodeAction uint8

// The node actions, in the words of the command line.
const (
	NodeKill NodeAction = iota + 1
	NodePause
	NodeResume
	NodeRestart
	NodeWipe
)

var nodeActionNames = [...]string{NodeKill: "kill", NodePause: "pause", NodeResume: "resume",
	NodeRestart: "restart", NodeWipe: "wipe"}

// String returns the action's command, "kill".
func (a NodeAction) String() string {
	if a > 0 && int(a) < len(nodeActionNames) {
		return nodeActionNames[a]
	}
	return fmt.Sprintf("NodeAction(%d)", uint8(a))
}

// Links is what the dashboard needs of the network between proposers and
// acceptors. Proposer or acceptor "*" stands for all of them. Methods are
// called from tea.Cmds and must not block for long.
type Links interface {
	// Partition cuts the links: requests fail.
	Partition(proposer, acceptor string) error
	// OneWay loses the replies: requests still run on the acceptor.
	OneWay(proposer, acceptor string) error
	// Drop loses requests and replies with probability p.
	Drop(proposer, acceptor string, p float64) error
	// Delay slows every request down by about d.
	Delay(proposer, acceptor string, d time.Duration) error
	// Heal removes the faults of a link; HealAll of every link.
	Heal(proposer, acceptor string) error
	HealAll()
	// Faults describes each configured fault in a few words.
	Faults() []string

	// SetStep turns step mode on or off; off releases every held message.
	SetStep(on bool)
	// Step reports whether step mode is on.
	Step() bool
	// Held lists the messages waiting in step mode, oldest first.
	Held() []HeldMessage
	// Deliver lets the held message id go on; DropHeld loses it;
	// DeliverNext delivers the oldest.
	Deliver(id uint64) error
	DropHeld(id uint64) error
	DeliverNext() error
}

// HeldMessage is a message waiting in step mode.
type HeldMessage struct {
	ID       uint64
	Proposer string
	Acceptor string
	Reply    bool // a reply on its way back, else a request
	Phase    paxos.Phase
	Ballot   paxos.Ballot
	Key      string
	Summary  string // the value or the reply, in a few words
}

// Client is one proposer with the key-value store that runs through it.
type Client struct {
	Proposer Proposer
	Store    KV
}

// Env is what the dashboard runs on. Every field but Bus may be nil or
// empty; the dashboard then offers fewer actions and says why.
type Env struct {
	// Bus delivers the trace of every proposer and of the cluster.
	Bus *trace.Bus
	// Nodes are the acceptors.
	Nodes Nodes
	// Links are the faults and step mode between proposers and acceptors.
	Links Links
	// NoLinks says why Links is nil, when it is, in words for the user.
	NoLinks string
	// Clients are the proposers, each with its key-value store.
	Clients []Client
	// AddProposer starts one more proposer on the same cluster.
	AddProposer func(ctx context.Context) (Client, error)
	// Members changes the cluster's membership; nil offers no change.
	Members Members
	// GC collects deleted keys; nil offers no collection.
	GC GC
	// ReadOnly offers no action that writes.
	ReadOnly bool
	// Attach says the nodes belong to someone else: destructive actions
	// ask for confirmation first.
	Attach bool
	// Title names the cluster in the title bar.
	Title string
	// Demo, if not nil, is a guided demo narrated in its own panel.
	Demo Demo
}
