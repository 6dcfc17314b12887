package check

import (
	"testing"
	"time"
	"github.com/gryadka/gryadka/paxos"
)

func TestExp(t *testing.T) {
	for name, cr := range map[string]counterRun{
		"3c3k think1ms": {clients: 3, keys: 3, think: time.Millisecond},
		"6c3k think1ms": {clients: 6, keys: 3, think: time.Millisecond},
		"6c3k think1ms delay": {clients: 6, keys: 3, think: time.Millisecond, delay: 300*time.Microsecond},
		"6c3k nothink": {clients: 6, keys: 3},
		"6c3k think1ms loss": {clients: 6, keys: 3, think: time.Millisecond, loss: 0.02},
	} {
		cr.seed, cr.proposers, cr.opsPerUser, cr.config, cr.oneRTT = 1, 3, 150, paxos.Majority, true
		r := cr.run(t)
		t.Logf("%s: %d ops, %d unknown, %s in %v", name, r.result.Ops, r.result.Unknown, r.result.Verdict, r.result.Elapsed)
	}
}
