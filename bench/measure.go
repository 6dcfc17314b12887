package bench

import (
	"context"
	"math"
	"time"
)

// Config configures Measure.
type Config struct {
	Options
	// System names what is measured in the report (default "gryadka").
	System string
	// Backend names the kind of nodes: embedded, process or remote.
	Backend string
	// Floor configures the floor measurement; SkipFloor leaves it out.
	Floor     FloorOptions
	SkipFloor bool
	// ReadTimeout bounds each read of the check (default 5s).
	ReadTimeout time.Duration
}

// Measure runs a benchmark on t: first the floor, then the workload, the
// floor again (the report holds the mean of the two), then the check that
// every key holds its acknowledged increments. Ending ctx
// stops the workload early; the operations in flight and the check still
// run. The error is about the floor or the options; a failed check is in
// the report.
func Measure(ctx context.Context, t *Target, cfg Config) (Report, error) {
	if err := cfg.Options.Validate(); err != nil {
		return Report{}, err
	}
	if cfg.System == "" {
		cfg.System = "gryadka"
	}
	if cfg.ReadTimeout <= 0 {
		cfg.ReadTimeout = 5 * time.Second
	}
	var floor *Floor
	if !cfg.SkipFloor {
		if cfg.Floor.Quorum == 0 {
			cfg.Floor.Quorum = t.Quorum
		}
		if cfg.Floor.Key == "" {
			cfg.Floor.Key = cfg.Prefix + "/floor"
		}
		if cfg.Floor.RefClients == 0 {
			cfg.Floor.RefClients = cfg.Clients
		}
		f, err := MeasureFloor(ctx, t.Nodes, cfg.Floor)
		if err != nil {
			return Report{}, err
		}
		floor = &f
	}
	floorAfter := func() error {
		if floor == nil {
			return nil
		}
		// Again after the workload, on keys of its own (the first
		// measurement's ballots are spent): the mean brackets the workload.
		opts := cfg.Floor
		opts.Key += "-after"
		g, err := MeasureFloor(ctx, t.Nodes, opts)
		if err != nil {
			return err
		}
		*floor = floor.Mean(g)
		return nil
	}

	cpu0, cpuOK := ProcessCPU()
	prepare0, accept0 := t.Counter.Rounds()
	changes0 := t.Changes()
	res, err := Run(ctx, t.Stores, cfg.Options)
	if err != nil {
		return Report{}, err
	}
	cpu1, _ := ProcessCPU()
	// The last phases' stragglers may not be counted yet: a few messages
	// against thousands of phases.
	prepare1, accept1 := t.Counter.Rounds()
	changes := t.Changes() - changes0
	if err := floorAfter(); err != nil {
		return Report{}, err
	}

	check := Verify(context.WithoutCancel(ctx), t.Stores[0], res.Expect, cfg.ReadTimeout)

	r := Report{
		System: cfg.System, Backend: cfg.Backend, Clients: cfg.Clients, Keys: string(cfg.Keys), Op: string(cfg.Op),
		Ops: res.Ops, OpsPerS: perSecond(res.Ops, res.Elapsed),
		P50us: micros(res.Latency.Quantile(0.5)), P99us: micros(res.Latency.Quantile(0.99)),
		Errors: res.Errors, ErrorKinds: res.ErrorKinds,
		Nodes: len(t.Nodes), Proposers: len(t.Proposers), DurationS: round(res.Elapsed.Seconds(), 3),
		PrepareRounds: prepare1 - prepare0, AcceptRounds: accept1 - accept0, Changes: changes,
		Check: CheckOK, CheckProblems: check.Problems, CheckedKeys: check.Keys,
		OneRTT: t.Proposers[0].OneRTT(), MaxBatch: t.MaxBatch,
	}
	if changes > 0 {
		r.RoundTripsPerChange = round(float64(r.PrepareRounds+r.AcceptRounds)/float64(changes), 3)
	}
	if cpuOK {
		r.ClientCPUS = round((cpu1 - cpu0).Seconds(), 3)
	}
	if !check.OK() {
		r.Check = CheckFailed
	}
	if floor != nil {
		r.setFloor(*floor)
	}
	return r, nil
}

func perSecond(n uint64, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return round(float64(n)/d.Seconds(), 1)
}

func micros(d time.Duration) float64 { return round(float64(d)/float64(time.Microsecond), 1) }

// round rounds x to the given decimal places.
func round(x float64, places int) float64 {
	p := math.Pow10(places)
	return math.Round(x*p) / p
}
