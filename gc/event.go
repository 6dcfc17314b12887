package gc

import (
	"fmt"
	"strings"
	"time"

	"github.com/gryadka/gryadka/paxos"
)

// Step is one step of a key's collection.
type Step uint8

// The steps, in order (see the package documentation).
const (
	StepReplicate Step = iota + 1
	StepInvalidate
	StepFence
	StepRemove
)

// String returns "replicate", "invalidate", "fence" or "remove".
func (s Step) String() string {
	switch s {
	case StepReplicate:
		return "replicate"
	case StepInvalidate:
		return "invalidate"
	case StepFence:
		return "fence"
	case StepRemove:
		return "remove"
	case 0:
		return "none"
	}
	return fmt.Sprintf("Step(%d)", uint8(s))
}

// MarshalText implements encoding.TextMarshaler.
func (s Step) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *Step) UnmarshalText(text []byte) error {
	for v := Step(0); v <= StepRemove; v++ {
		if v.String() == string(text) {
			*s = v
			return nil
		}
	}
	return fmt.Errorf("gc: unknown step %q", text)
}

// StepEvent reports one step of a key's collection: done (OK), failed
// (Err), or not needed (Skipped, with the reason). Nodes lists the
// acceptors the step reached, Ages the raised ages of a fence.
type StepEvent struct {
	At        time.Time    `json:"at"`
	Collector string       `json:"collector"`
	Key       string       `json:"key"`
	Step      Step         `json:"step"`
	Tombstone paxos.Ballot `json:"tombstone,omitzero"`
	OK        bool         `json:"ok"`
	Skipped   string       `json:"skipped,omitempty"`
	Err       string       `json:"err,omitempty"`
	Nodes     []string     `json:"nodes,omitempty"`
	Ages      []Age        `json:"ages,omitempty"`
}

// Kind implements paxos.Event.
func (StepEvent) Kind() string { return "gc.step" }

// Text is the event's line in the log, such as
// `gc key "k" ▸ remove tombstone 7:gc.1f: done on a1, a2, a3`.
func (e StepEvent) Text() string {
	head := fmt.Sprintf("%s key %q ▸ %s", e.Collector, e.Key, e.Step)
	if !e.Tombstone.IsZero() {
		head += " tombstone " + e.Tombstone.String()
	}
	switch {
	case e.Skipped != "":
		return head + ": skipped, " + e.Skipped
	case !e.OK:
		return head + ": failed, " + e.Err
	case len(e.Ages) > 0:
		ages := make([]string, len(e.Ages))
		for i, a := range e.Ages {
			ages[i] = fmt.Sprintf("%s=%d", a.Proposer, a.Age)
		}
		return head + ": done, ages " + strings.Join(ages, ", ") + " on " + strings.Join(e.Nodes, ", ")
	case len(e.Nodes) > 0:
		return head + ": done on " + strings.Join(e.Nodes, ", ")
	}
	return head + ": done"
}
