package gc

import (
	"testing"

	"github.com/gryadka/gryadka/paxos"
)

func TestStepEvent_Text(t *testing.T) {
	tomb := paxos.Ballot{Counter: 7, Proposer: "gc.1"}
	tests := map[string]struct {
		e    StepEvent
		want string
	}{
		"done": {e: StepEvent{Collector: "gc.1", Key: "k", Step: StepRemove, Tombstone: tomb, OK: true, Nodes: []string{"a1", "a2"}},
			want: `gc.1 key "k" ▸ remove tombstone 7:gc.1: done on a1, a2`},
		"fence": {e: StepEvent{Collector: "gc.1", Key: "k", Step: StepFence, Tombstone: tomb, OK: true,
			Nodes: []string{"a1"}, Ages: []Age{{Proposer: "p1.x", Age: 3}}},
			want: `gc.1 key "k" ▸ fence tombstone 7:gc.1: done, ages p1.x=3 on a1`},
		"failed": {e: StepEvent{Collector: "gc.1", Key: "k", Step: StepReplicate, Err: "a3 did not answer"},
			want: `gc.1 key "k" ▸ replicate: failed, a3 did not answer`},
		"skipped": {e: StepEvent{Collector: "gc.1", Key: "k", Step: StepReplicate, Skipped: "the key holds a value"},
			want: `gc.1 key "k" ▸ replicate: skipped, the key holds a value`},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			if have := tt.e.Text(); have != tt.want {
				t.Fatalf("want %q, have %q", tt.want, have)
			}
		})
	}
}

func TestStep_TextRoundTrip(t *testing.T) {
	for s := StepReplicate; s <= StepRemove; s++ {
		text, _ := s.MarshalText()
		var have Step
		if err := have.UnmarshalText(text); err != nil || have != s {
			t.Fatalf("want %s back, have %s, %v", s, have, err)
		}
	}
	var s Step
	if err := s.UnmarshalText([]byte("sweep")); err == nil {
		t.Fatal("want an unknown step refused")
	}
}
