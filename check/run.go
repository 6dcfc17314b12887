package check

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync/atomic"
	"time"
)

// Options configure a check run.
type Options struct {
	Duration  time.Duration // how long clients run under the nemesis (default 30s)
	Backend   string        // "embedded" or "process"
	Nodes     int           // acceptors (default 3)
	Proposers int           // proposers (default 3)
	Seed      int64         // the same seed replays the same fault schedule
	Negative  Negative
	Workload  Workload
	// CheckTimeout bounds the checker; a check that runs out of time is
	// "not verified" (default 1m).
	CheckTimeout time.Duration
	// HTMLPath, if set, is where porcupine's visualization of a violation
	// is written.
	HTMLPath string
	// Progress, if not nil, receives a line per fault as the run goes.
	Progress io.Writer
}

func (o Options) withDefaults() (Options, error) {
	if o.Duration <= 0 {
		o.Duration = 30 * time.Second
	}
	if o.Nodes == 0 {
		o.Nodes = 3
	}
	if o.Backend == "" {
		o.Backend = "embedded"
	}
	if o.Proposers <= 0 {
		o.Proposers = 3
	}
	if o.CheckTimeout <= 0 {
		o.CheckTimeout = time.Minute
	}
	var err error
	o.Workload, err = o.Workload.withDefaults()
	if o.Negative == NegativeIndefinite {
		o.Workload.TrustFailures = true
	}
	return o, err
}

// planKinds returns the faults a run draws from: all of them, or the ones
// that expose a negative control.
func planKinds(n Negative) []FaultKind {
	switch n {
	case NegativeQuorum:
		return []FaultKind{FaultIsolate}
	case NegativeWipe:
		return []FaultKind{FaultWipe}
	case NegativeIndefinite:
		return []FaultKind{FaultReplyLoss, FaultOneWay}
	}
	return nil
}

// FaultReport is what happened during one fault.
type FaultReport struct {
	Fault  Fault
	Window Window        // when it was active, on the recorder's clock
	Gap    time.Duration // longest time without a successful operation
	Err    error         // applying or healing it failed
}

// Report is the outcome of a check run.
type Report struct {
	Options Options
	Plan    Plan
	Faults  []FaultReport
	Result  Result
	// Audit lists the protocol invariants the acceptors broke.
	Audit []string
	// Final is what the final write and read of the keys found wrong.
	Final   []string
	HTML    string // the visualization written, if any
	History []Op   // every operation the clients ran, as checked
	Elapsed time.Duration
}

// Run starts a local cluster, runs the workload under the nemesis, heals,
// writes and reads every key once more, checks the history and audits the
// acceptors.
func Run(ctx context.Context, opts Options) (*Report, error) {
	start := time.Now()
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	l, err := startLocal(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("check: starting the cluster: %w", err)
	}
	defer l.close()
	plan, err := NewPlan(PlanOptions{Seed: opts.Seed, Duration: opts.Duration, Acceptors: l.names,
		Proposers: opts.Proposers, Kinds: planKinds(opts.Negative)})
	if err != nil {
		return nil, err
	}
	if opts.Negative == NegativeWipe {
		widen(plan, l.names)
	}
	rep := &Report{Options: opts, Plan: plan}
	run := fmt.Sprint(opts.Seed)
	rec := NewRecorder()

	clientsCtx, stop := context.WithTimeout(ctx, opts.Duration)
	defer stop()
	done := make(chan struct{})
	go func() {
		defer close(done)
		runClients(clientsCtx, opts.Workload, opts.Seed, run, l.stores, rec)
	}()
	rep.Faults = nemesis(clientsCtx, l, plan, rec, opts.Progress)
	<-done
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("check: interrupted: %w", err)
	}

	keys := make([]string, opts.Workload.Keys)
	for i := range keys {
		keys[i] = keyName(run, i)
	}
	rep.Final = finalWrites(l, keys, rec)
	history := rec.History()
	rep.History = history
	for i := range rep.Faults {
		f := &rep.Faults[i]
		f.Gap = LongestGap(history, f.Window.Start, f.Window.End)
	}
	rep.Result = Check(history, opts.CheckTimeout)
	rep.Audit, err = l.audit(ctx, keys)
	if err != nil {
		rep.Audit = append(rep.Audit, err.Error())
	}
	if rep.Result.Verdict == Violation && opts.HTMLPath != "" {
		if err := writeHTML(rep, opts.HTMLPath); err != nil {
			return rep, err
		}
		rep.HTML = opts.HTMLPath
	}
	rep.Elapsed = time.Since(start)
	return rep, nil
}

// widen makes every wipe of plan hit a majority: the negative control of
// the identity guard, in which the wiped nodes alone form quorums.
func widen(plan Plan, names []string) {
	for i := range plan.Faults {
		var nodes []string
		for j := range len(names)/2 + 1 {
			nodes = append(nodes, names[(i+j)%len(names)])
		}
		plan.Faults[i].Nodes = nodes
	}
}

// nemesis applies the plan's faults on time until ctx ends, healing each
// one when it is over.
func nemesis(ctx context.Context, l *local, plan Plan, rec *Recorder, progress io.Writer) []FaultReport {
	var out []FaultReport
	wait := func(at time.Duration) bool {
		select {
		case <-ctx.Done():
			return false
		case <-time.After(time.Until(rec.Start().Add(at))):
			return true
		}
	}
	for _, f := range plan.Faults {
		if !wait(f.Start) {
			break
		}
		if progress != nil {
			fmt.Fprintf(progress, "nemesis: %s\n", f)
		}
		fr := FaultReport{Fault: f}
		fr.Window.Start = rec.Now()
		fr.Window.Label = f.Kind.String()
		if len(f.Nodes) > 0 {
			fr.Window.Label += fmt.Sprint(" ", f.Nodes)
		}
		applied := l.apply(context.WithoutCancel(ctx), f)
		wait(f.Start + f.Length)
		healed := l.heal(context.WithoutCancel(ctx), f)
		fr.Window.End = rec.Now()
		fr.Err = errors.Join(applied, healed)
		if progress != nil && fr.Err != nil {
			fmt.Fprintf(progress, "nemesis: %s: %v\n", f.Kind, fr.Err)
		}
		out = append(out, fr)
	}
	return out
}

// finalWrites writes a last value to every key through the first proposer
// and reads it back, recording both, once the cluster has healed. It
// reports the keys it could not write or read.
func finalWrites(l *local, keys []string, rec *Recorder) []string {
	var problems []string
	ids := &atomic.Int64{}
	ids.Store(1 << 20)
	for _, key := range keys {
		c := &client{id: int(ids.Add(1)), key: key, store: l.stores[0], rec: rec, timeout: time.Second, nextID: ids}
		for _, kind := range []OpKind{OpSet, OpGet} {
			var in Input
			var out Output
			for try := range 10 {
				// Every attempt writes its own value: values must be unique.
				in = Input{Kind: kind, Key: key, Value: 1<<62 + int64(try+1)*valueSpan}
				if out = c.do(in); out.Outcome == OutcomeOK {
					break
				}
			}
			if out.Outcome != OutcomeOK {
				problems = append(problems, fmt.Sprintf("final %s failed ten times on the healed cluster", in))
			}
		}
	}
	return problems
}

func writeHTML(rep *Report, path string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("check: writing the visualization: %w", err)
	}
	windows := make([]Window, len(rep.Faults))
	for i, fr := range rep.Faults {
		windows[i] = fr.Window
	}
	err = rep.Result.Visualize(f, windows, rep.Options.CheckTimeout)
	return errors.Join(err, f.Close())
}
