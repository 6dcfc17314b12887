package cluster

import (
	"testing"

	"github.com/gryadka/gryadka/paxos"
)

func TestMembershipStep_TextSaysWhereTheChangeIs(t *testing.T) {
	cfg := MajorityConfig("a1", "a2", "a3", "a4")
	for name, tc := range map[string]struct {
		ev   MembershipStep
		want string
	}{
		"started": {MembershipStep{Op: "add a4", Step: 2, Steps: 4, Action: paxos.StepConfigure, Name: "grow step 2",
			Phase: MemberStepStarted}, "add a4 step 2/4 started: grow step 2"},
		"progress": {MembershipStep{Op: "add a4", Step: 3, Steps: 4, Action: paxos.StepRescan, Name: "grow step 3",
			Phase: MemberStepProgress, KeysDone: 120, KeysTotal: 500, Rate: 830.4},
			"add a4 step 3/4 progress: grow step 3 (120/500 keys, 830 keys/s)"},
		"failed": {MembershipStep{Op: "add a4", Step: 1, Steps: 4, Action: paxos.StepJoin, Name: "grow step 1",
			Phase: MemberStepFailed, Err: "a4 is not empty"}, "add a4 step 1/4 failed: grow step 1: a4 is not empty"},
		"finished": {MembershipStep{Op: "add a4", Step: 4, Steps: 4, Phase: MemberPlanDone, Config: cfg},
			"add a4 step 4/4 finished: prepare 3/4 [a1 a2 a3 a4] accept 3/4 [a1 a2 a3 a4]"},
	} {
		t.Run(name, func(t *testing.T) {
			if have := tc.ev.Text(); have != tc.want {
				t.Errorf("want %q, have %q", tc.want, have)
			}
		})
	}
}
