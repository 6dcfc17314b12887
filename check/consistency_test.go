package check

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/gryadka/gryadka/cluster"
	"github.com/gryadka/gryadka/paxos"
)

// counterRun is the consistency test of issue 2: proposers and clients
// increment shared counters while acceptors go down and messages are lost
// or delayed, through a cluster.Network between proposers and acceptors.
type counterRun struct {
	seed       uint64
	proposers  int
	clients    int
	keys       int
	opsPerUser int
	loss       float64
	oneRTT     bool
	think      time.Duration // clients pause up to this long between operations
	delay      time.Duration // requests wait up to this long
	config     func(acceptors ...paxos.Acceptor) paxos.Config
}

// counterReport is what a counterRun found: the porcupine result and, per
// key, the final value read after healing against the increments the
// clients were told about.
type counterReport struct {
	result Result
	lost   []string // keys whose final value misses acknowledged increments
}

func (cr counterRun) run(t *testing.T) counterReport {
	t.Helper()
	mems := []*paxos.MemAcceptor{paxos.NewMemAcceptor("a1"), paxos.NewMemAcceptor("a2"), paxos.NewMemAcceptor("a3")}
	net := cluster.NewNetwork(cluster.NetworkOptions{Seed: int64(cr.seed)})
	proposers := make([]*paxos.Proposer, cr.proposers)
	for i := range proposers {
		id := fmt.Sprintf("p%d", i+1)
		var acc []paxos.Acceptor
		for _, m := range mems {
			acc = append(acc, net.Link(id, m))
		}
		// A lost message keeps its caller waiting until the round times
		// out, so rounds time out fast.
		p, err := paxos.NewProposer(paxos.Options{ID: id, Config: cr.config(acc...),
			OneRTT: cr.oneRTT && i%2 == 0, RoundTimeout: 20 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		proposers[i] = p
	}

	rec := NewRecorder()
	ctx, stop := context.WithCancel(t.Context())
	var nemesis sync.WaitGroup
	nemesis.Go(func() {
		// Every 2ms: messages are lost and delayed at random, and every
		// other time one acceptor is down (its links fail at once).
		rng := rand.New(rand.NewPCG(cr.seed, 0))
		for tick := 0; ctx.Err() == nil; tick++ {
			net.HealAll()
			mustFault(t, net.Drop(cluster.Any, cluster.Any, cr.loss, cr.loss))
			mustFault(t, net.Delay(cluster.Any, cluster.Any, 0, cr.delay))
			if tick%2 == 0 {
				mustFault(t, net.Partition(cluster.Any, mems[rng.IntN(len(mems))].Name(), cluster.FailFast))
			}
			select {
			case <-ctx.Done():
			case <-time.After(2 * time.Millisecond):
			}
		}
	})
	var clients sync.WaitGroup
	for c := range cr.clients {
		rng := rand.New(rand.NewPCG(cr.seed, uint64(c)))
		p := proposers[c%len(proposers)]
		clients.Go(func() {
			for range cr.opsPerUser {
				key := fmt.Sprintf("counter%d", rng.IntN(cr.keys))
				kind := OpIncr
				if rng.IntN(4) == 0 {
					kind = OpGet
				}
				pending := rec.Invoke(c, Input{Kind: kind, Key: key})
				pending.Return(change(t.Context(), p, key, kind))
				if cr.think > 0 {
					time.Sleep(time.Duration(rng.Int64N(int64(cr.think))))
				}
			}
		})
	}
	clients.Wait()
	stop()
	nemesis.Wait()
	net.HealAll()

	history := rec.History()
	report := counterReport{result: Check(history, 5*time.Second)}
	for k := range cr.keys {
		key := fmt.Sprintf("counter%d", k)
		acked, unknown := 0, 0
		for _, op := range history {
			if op.Input.Key == key && op.Input.Kind == OpIncr {
				switch op.Output.Outcome {
				case OutcomeOK:
					acked++
				case OutcomeUnknown:
					unknown++
				}
			}
		}
		final := Output{Outcome: OutcomeFailed}
		for try := 0; try < 10 && final.Outcome != OutcomeOK; try++ {
			final = change(t.Context(), proposers[0], key, OpGet) // a stale 1RTT promise costs one conflict
		}
		if final.Outcome != OutcomeOK {
			t.Fatalf("final read of %s failed on a healed cluster", key)
		}
		if final.Value < int64(acked) || final.Value > int64(acked+unknown) {
			report.lost = append(report.lost, fmt.Sprintf("%s=%d with %d acknowledged and %d unknown increments",
				key, final.Value, acked, unknown))
		}
	}
	return report
}

func mustFault(t *testing.T, err error) {
	if err != nil {
		t.Error(err)
	}
}

// change runs one increment or read of a counter through p and says what
// the client learned.
func change(ctx context.Context, p *paxos.Proposer, key string, kind OpKind) Output {
	update := func(state []byte) ([]byte, error) { return state, nil }
	if kind == OpIncr {
		update = func(state []byte) ([]byte, error) {
			n, err := counterValue(state)
			return strconv.AppendInt(nil, n+1, 10), err
		}
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	state, err := p.Change(ctx, key, update)
	switch {
	case err == nil:
		n, _ := counterValue(state)
		return Output{Outcome: OutcomeOK, Exists: state != nil, Value: n}
	case paxos.IsIndefinite(err):
		return Output{Outcome: OutcomeUnknown}
	}
	return Output{Outcome: OutcomeFailed}
}

func counterValue(state []byte) (int64, error) {
	if state == nil {
		return 0, nil
	}
	n, err := strconv.ParseInt(string(state), 10, 64)
	if err != nil {
		return 0, errors.New("test: counter holds a non-number")
	}
	return n, nil
}

func TestConsistency_IncrementsSurviveFaults(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3} {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			r := counterRun{seed: seed, proposers: 3, clients: 8, keys: 2, opsPerUser: 200, loss: 0.03,
				oneRTT: true, delay: 300 * time.Microsecond, config: paxos.Majority}.run(t)
			t.Logf("%d ops, %d unknown, checked in %v", r.result.Ops, r.result.Unknown, r.result.Elapsed)
			if r.result.Verdict != Linearizable {
				t.Errorf("want linearizable, have %s (bad keys %v, slow keys %v)", r.result.Verdict, r.result.Bad, r.result.Slow)
			}
			if len(r.lost) > 0 {
				t.Errorf("want every acknowledged increment kept, have %v", r.lost)
			}
		})
	}
}

func TestConsistency_UnsafeQuorumsCaught(t *testing.T) {
	unsafe := func(acceptors ...paxos.Acceptor) paxos.Config {
		return paxos.Config{Prepare: acceptors, PrepareQuorum: 1, Accept: acceptors, AcceptQuorum: 1, Unsafe: true}
	}
	r := counterRun{seed: 7, proposers: 3, clients: 8, keys: 2, opsPerUser: 200, loss: 0.03,
		oneRTT: true, delay: 300 * time.Microsecond, config: unsafe}.run(t)
	t.Logf("%d ops, %d unknown, verdict %s, lost %v", r.result.Ops, r.result.Unknown, r.result.Verdict, r.lost)
	if r.result.Verdict != Violation {
		t.Errorf("want the checker to find a violation with quorums of one, have %s", r.result.Verdict)
	}
	if len(r.lost) == 0 {
		t.Error("want the final read to miss acknowledged increments with quorums of one, have none missing")
	}
}
