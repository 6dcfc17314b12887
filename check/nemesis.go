package check

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// FaultKind names what the nemesis does during one fault.
type FaultKind uint8

// The faults of a check run.
const (
	FaultKill      FaultKind = iota + 1 // crash a node; the heal restarts it with its data
	FaultPause                          // freeze a node; the heal resumes it
	FaultPartition                      // cut a minority of nodes off from every proposer
	FaultSplit                          // each proposer loses a different minority
	FaultOneWay                         // a node executes requests but its replies are lost
	FaultDrop                           // every link loses requests and replies at random
	FaultDelay                          // a node's requests wait, with jitter that reorders them
	FaultDuplicate                      // every link delivers some requests twice
	FaultWipe                           // nodes lose their data, the others slow down; the heal re-adds them
	FaultIsolate                        // each proposer reaches only its own node (negative control)
	FaultReplyLoss                      // every link loses many replies: outcomes become unknown
)

var faultNames = map[FaultKind]string{
	FaultKill: "kill", FaultPause: "pause", FaultPartition: "partition", FaultSplit: "split",
	FaultOneWay: "oneway", FaultDrop: "drop", FaultDelay: "delay", FaultDuplicate: "duplicate",
	FaultWipe: "wipe", FaultIsolate: "isolate", FaultReplyLoss: "replyloss",
}

// String returns the fault's command word, "kill".
func (k FaultKind) String() string {
	if s, ok := faultNames[k]; ok {
		return s
	}
	return fmt.Sprintf("FaultKind(%d)", uint8(k))
}

// Fault is one step of the nemesis: what it breaks, when, and for how
// long; everything is healed at Start+Length. Nodes are the acceptors hit,
// or, for FaultSplit, the acceptor each proposer loses (Nodes[i] for the
// i-th proposer), and for FaultIsolate the one it keeps. Hang says a partition keeps requests waiting instead of
// failing them at once.
type Fault struct {
	Kind   FaultKind
	Start  time.Duration
	Length time.Duration
	Nodes  []string
	Hang   bool
}

// String describes f, "partition a2 (hang) at 1.2s for 800ms".
func (f Fault) String() string {
	what := f.Kind.String()
	if len(f.Nodes) > 0 {
		what += " " + strings.Join(f.Nodes, ",")
	}
	if f.Hang {
		what += " (hang)"
	}
	return fmt.Sprintf("%s at %v for %v", what, f.Start.Round(time.Millisecond), f.Length.Round(time.Millisecond))
}

// Plan is the nemesis's schedule for one run: faults that never overlap,
// each followed by a quiet time in which everything is healed.
type Plan struct {
	Faults []Fault
}

// PlanOptions shape a Plan.
type PlanOptions struct {
	Seed      int64
	Duration  time.Duration // faults end before this
	Acceptors []string
	Proposers int
	Kinds     []FaultKind // the faults to draw from; empty means the faults up to FaultWipe
}

// NewPlan draws a schedule from opts.Seed: the same options give the same
// plan. Faults last 5% to 15% of the run and are followed by a quiet time
// of 2% to 8%, so a run of any length sees several of them.
func NewPlan(opts PlanOptions) (Plan, error) {
	if len(opts.Acceptors) < 3 {
		return Plan{}, fmt.Errorf("check: a nemesis needs at least 3 acceptors, have %d", len(opts.Acceptors))
	}
	if opts.Proposers < 1 {
		return Plan{}, fmt.Errorf("check: a nemesis needs at least one proposer")
	}
	kinds := opts.Kinds
	if len(kinds) == 0 {
		kinds = []FaultKind{FaultKill, FaultPause, FaultPartition, FaultSplit, FaultOneWay, FaultDrop,
			FaultDelay, FaultDuplicate, FaultWipe}
	}
	rng := rand.New(rand.NewPCG(uint64(opts.Seed), 0x6e656d65736973))
	span := func(lo, hi int) time.Duration {
		return opts.Duration * time.Duration(lo+rng.IntN(hi-lo+1)) / 100
	}
	minority := (len(opts.Acceptors) - 1) / 2
	var plan Plan
	at := span(2, 8)
	// Draw kinds from a shuffled deck, so every kind comes up once before
	// any comes up twice.
	var deck []FaultKind
	for {
		if len(deck) == 0 {
			deck = slices.Clone(kinds)
			rng.Shuffle(len(deck), func(i, j int) { deck[i], deck[j] = deck[j], deck[i] })
		}
		f := Fault{Kind: deck[0], Start: at, Length: span(5, 15)}
		deck = deck[1:]
		if f.Start+f.Length > opts.Duration {
			break
		}
		switch f.Kind {
		case FaultPartition:
			f.Nodes = pick(rng, opts.Acceptors, 1+rng.IntN(minority))
			f.Hang = rng.IntN(2) == 0
		case FaultSplit, FaultIsolate:
			perm := rng.Perm(len(opts.Acceptors))
			for i := range opts.Proposers {
				f.Nodes = append(f.Nodes, opts.Acceptors[perm[i%len(perm)]])
			}
			f.Hang = rng.IntN(2) == 0
		case FaultDrop, FaultDuplicate, FaultReplyLoss:
		default:
			f.Nodes = pick(rng, opts.Acceptors, 1)
		}
		plan.Faults = append(plan.Faults, f)
		at = f.Start + f.Length + span(2, 8)
	}
	return plan, nil
}

// pick returns n distinct names of set, in set's order.
func pick(rng *rand.Rand, set []string, n int) []string {
	idx := rng.Perm(len(set))[:n]
	slices.Sort(idx)
	out := make([]string, n)
	for i, j := range idx {
		out[i] = set[j]
	}
	return out
}
