package check

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/gryadka/gryadka/cluster"
	"github.com/gryadka/gryadka/paxos"
)

func TestRun_EmbeddedClusterStaysLinearizable(t *testing.T) {
	var progress bytes.Buffer
	// The nemesis applies faults on the clock and drops those it reaches
	// after the run: re-adding a wiped node costs it hundreds of
	// milliseconds of CPU under -race on a loaded machine, so the run is
	// long enough for the plan's later faults to still come up.
	rep, err := Run(t.Context(), Options{Duration: 4 * time.Second, Backend: "embedded", Seed: 5, Progress: &progress})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	rep.Write(&out)
	t.Log(progress.String() + out.String())
	if !rep.Passed() {
		t.Fatalf("want a pass, have %s", rep.Verdict())
	}
	if len(rep.Faults) < 3 {
		t.Errorf("want several faults in 4s, have %d", len(rep.Faults))
	}
	if rep.Result.Ops < 50 {
		t.Errorf("want the clients to get work done under the nemesis, have %d ops", rep.Result.Ops)
	}
	if !strings.Contains(progress.String(), "nemesis: ") {
		t.Errorf("want progress lines, have %q", progress.String())
	}
}

func TestRun_ProcessClusterStaysLinearizable(t *testing.T) {
	if _, err := exec.LookPath("redis-server"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("redis-server is required under CI")
		}
		t.Skip("redis-server not installed")
	}
	rep, err := Run(t.Context(), Options{Duration: 2 * time.Second, Backend: "process", Seed: 6,
		Workload: Workload{Keys: 2, Clients: 6}})
	if errors.Is(err, cluster.ErrNoRedisServer) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	rep.Write(&out)
	t.Log(out.String())
	if !rep.Passed() {
		t.Fatalf("want a pass, have %s", rep.Verdict())
	}
}

func TestRun_RefusesCrowdedKeys(t *testing.T) {
	_, err := Run(t.Context(), Options{Duration: time.Second, Workload: Workload{Keys: 1, Clients: 9}})
	if err == nil || !strings.Contains(err.Error(), "at most 8") {
		t.Errorf("want an error about too many clients per key, have %v", err)
	}
}

func TestAudit_FindsBrokenInvariants(t *testing.T) {
	b := func(n uint64) paxos.Ballot { return paxos.Ballot{Counter: n, Proposer: "p1.x"} }
	tests := map[string]struct {
		states []AcceptorState
		want   int
	}{
		"agreeing acceptors": {[]AcceptorState{
			{Acceptor: "a1", Key: "k", State: memState(b(3), b(2), "v")},
			{Acceptor: "a2", Key: "k", State: memState(b(2), b(2), "v")},
			{Acceptor: "a3", Key: "k", State: memState(b(1), b(1), "old")},
		}, 0},
		"two values under one ballot": {[]AcceptorState{
			{Acceptor: "a1", Key: "k", State: memState(b(2), b(2), "v")},
			{Acceptor: "a2", Key: "k", State: memState(b(2), b(2), "w")},
		}, 1},
		"promise below accepted": {[]AcceptorState{
			{Acceptor: "a1", Key: "k", State: memState(b(1), b(2), "v")},
		}, 1},
		"same ballot on different keys": {[]AcceptorState{
			{Acceptor: "a1", Key: "k", State: memState(b(2), b(2), "v")},
			{Acceptor: "a1", Key: "j", State: memState(b(2), b(2), "w")},
		}, 0},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if have := Audit(tc.states); len(have) != tc.want {
				t.Errorf("want %d problems, have %v", tc.want, have)
			}
		})
	}
}

func memState(promise, accepted paxos.Ballot, value string) paxos.MemState {
	return paxos.MemState{Promise: promise, Accepted: accepted, Value: []byte(value)}
}

func TestRun_InterruptedIsNoVerdict(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(500*time.Millisecond, cancel)
	rep, err := Run(ctx, Options{Duration: 10 * time.Second, Seed: 1})
	if err == nil || rep != nil {
		t.Errorf("want an error and no report after an interrupt, have %v and %v", err, rep)
	}
}
