package cluster

import (
	"fmt"
	"strings"
	"time"

	"github.com/gryadka/gryadka/paxos"
)

// MembershipPhase is where a membership step is.
type MembershipPhase string

// The phases a MembershipStep reports.
const (
	MemberStepStarted  MembershipPhase = "started"
	MemberStepProgress MembershipPhase = "progress" // rescan progress
	MemberStepDone     MembershipPhase = "done"
	MemberStepFailed   MembershipPhase = "failed"
	MemberPlanDone     MembershipPhase = "finished" // the whole change
)

// MembershipStep is traced as a membership change runs: Step of Steps
// (counted from 1) named Name, in Phase. Config is the configuration
// proposers use once the step is done. A rescan reports KeysDone of
// KeysTotal at Rate keys a second. Err says why a step failed.
type MembershipStep struct {
	At        time.Time       `json:"at"`
	Op        string          `json:"op"`
	Step      int             `json:"step"`
	Steps     int             `json:"steps"`
	Action    paxos.StepKind  `json:"action"`
	Name      string          `json:"name"`
	Phase     MembershipPhase `json:"phase"`
	Config    FileConfig      `json:"configuration"`
	KeysDone  int             `json:"keys_done,omitempty"`
	KeysTotal int             `json:"keys_total,omitempty"`
	Rate      float64         `json:"rate,omitempty"`
	Err       string          `json:"error,omitempty"`
}

// Kind implements paxos.Event.
func (MembershipStep) Kind() string { return "cluster.member" }

// Text describes e in one line, "add a4 step 3/4 rescan progress 120/500 keys (830 keys/s)".
func (e MembershipStep) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s step %d/%d", e.Op, e.Step, e.Steps)
	if e.Phase == MemberPlanDone {
		fmt.Fprintf(&b, " finished: prepare %d/%d [%s] accept %d/%d [%s]", e.Config.PrepareQuorum, len(e.Config.Prepare),
			strings.Join(e.Config.Prepare, " "), e.Config.AcceptQuorum, len(e.Config.Accept), strings.Join(e.Config.Accept, " "))
		return b.String()
	}
	fmt.Fprintf(&b, " %s: %s", e.Phase, e.Name)
	if e.Phase == MemberStepProgress {
		fmt.Fprintf(&b, " (%d/%d keys, %.0f keys/s)", e.KeysDone, e.KeysTotal, e.Rate)
	}
	if e.Err != "" {
		b.WriteString(": " + e.Err)
	}
	return b.String()
}
