package bench

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

func TestRun_EveryKeyHoldsItsAcknowledgedIncrements(t *testing.T) {
	tests := map[string]struct {
		keys      KeyMode
		op        Op
		proposers int
		wantKeys  int
	}{
		"own inc":                 {keys: KeysOwn, op: OpInc, proposers: 1, wantKeys: 4},
		"own rmw":                 {keys: KeysOwn, op: OpRMW, proposers: 1, wantKeys: 4},
		"shared inc":              {keys: KeysShared, op: OpInc, proposers: 1, wantKeys: 1},
		"shared rmw":              {keys: KeysShared, op: OpRMW, proposers: 1, wantKeys: 1},
		"shared inc, 2 proposers": {keys: KeysShared, op: OpInc, proposers: 2, wantKeys: 1},
		"shared rmw, 2 proposers": {keys: KeysShared, op: OpRMW, proposers: 2, wantKeys: 1},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			stores := memStores(t, tt.proposers, nil)
			var ticks atomic.Int64
			res, err := Run(context.Background(), stores, Options{Clients: 4, Keys: tt.keys, Op: tt.op,
				Duration: 300 * time.Millisecond, Prefix: "t", Tick: func(time.Duration, uint64) { ticks.Add(1) }})
			if err != nil {
				t.Fatal(err)
			}
			if res.Ops == 0 {
				t.Fatal("want some operations done, have none")
			}
			if want, have := res.Ops, res.Latency.Count(); want != have {
				t.Errorf("latencies: want one per operation (%d), have %d", want, have)
			}
			if want, have := tt.wantKeys, len(res.Expect); want != have {
				t.Fatalf("keys: want %d, have %d", want, have)
			}
			var sum int64
			for _, e := range res.Expect {
				sum += e.Min
			}
			if want, have := int64(res.Ops), sum; want != have {
				t.Errorf("acknowledged increments: want %d (the operations), have %d", want, have)
			}
			if c := Verify(context.Background(), stores[len(stores)-1], res.Expect, time.Second); !c.OK() {
				t.Errorf("want the check to pass, have %v", c.Problems)
			}
			if ticks.Load() == 0 {
				t.Error("want Tick called during the run, have no call")
			}
		})
	}
}

func TestRun_StopsIssuingWhenTheContextEnds(t *testing.T) {
	stores := memStores(t, 1, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res, err := Run(ctx, stores, Options{Clients: 2, Keys: KeysOwn, Op: OpInc, Duration: time.Hour, Prefix: "t"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Ops != 0 || res.Errors != 0 {
		t.Errorf("want no operation after the end, have %d done and %d failed", res.Ops, res.Errors)
	}
}

func TestOptions_Validate(t *testing.T) {
	good := Options{Clients: 1, Keys: KeysOwn, Op: OpInc, Duration: time.Second, Prefix: "p"}
	tests := map[string]func(*Options){
		"no clients":    func(o *Options) { o.Clients = 0 },
		"unknown keys":  func(o *Options) { o.Keys = "mine" },
		"unknown op":    func(o *Options) { o.Op = "dec" },
		"zero duration": func(o *Options) { o.Duration = 0 },
		"no prefix":     func(o *Options) { o.Prefix = "" },
	}
	if err := good.Validate(); err != nil {
		t.Fatalf("good options: want no error, have %v", err)
	}
	for name, edit := range tests {
		t.Run(name, func(t *testing.T) {
			o := good
			edit(&o)
			if err := o.Validate(); !errors.Is(err, ErrBadOptions) {
				t.Errorf("want ErrBadOptions, have %v", err)
			}
			if _, err := Run(context.Background(), memStores(t, 1, nil), o); !errors.Is(err, ErrBadOptions) {
				t.Errorf("Run: want ErrBadOptions, have %v", err)
			}
		})
	}
}
