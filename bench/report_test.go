package bench

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// reportFields are the fields issue 3 lists for `bench --json`.
var reportFields = []string{"system", "clients", "keys", "op", "ops", "ops_per_s", "p50_us", "p99_us", "errors",
	"nodes", "proposers", "duration_s", "error_kinds", "prepare_rounds", "accept_rounds", "round_trips_per_change",
	"client_cpu_s", "check"}

func sampleReport() Report {
	r := Report{System: "gryadka", Backend: "process", Clients: 16, Keys: "own", Op: "inc", Ops: 1000, OpsPerS: 500,
		P50us: 300, P99us: 900, Nodes: 3, Proposers: 1, DurationS: 2, ErrorKinds: map[string]uint64{},
		PrepareRounds: 16, AcceptRounds: 1000, Changes: 1000, RoundTripsPerChange: 1.016, Check: CheckOK, CheckedKeys: 16,
		OneRTT: true}
	r.setFloor(Floor{Nodes: []NodeFloor{{"a1", 100 * time.Microsecond}, {"a2", 150 * time.Microsecond}},
		Quorum: 150 * time.Microsecond, FanOut: 200 * time.Microsecond, OpsPerSec: 10000, Clients: 50,
		Writes: []NodeFloor{{"a1", time.Millisecond}}, WriteQuorum: time.Millisecond,
		RefClients: 16, RefOpsPerSec: 2000, RefWritesPerSec: 1000, OpsPerSecRuns: []float64{9000, 11000}})
	return r
}

func TestReport_WriteJSON(t *testing.T) {
	var b bytes.Buffer
	if err := sampleReport().WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	if want, have := 1, strings.Count(b.String(), "\n"); want != have || !strings.HasSuffix(b.String(), "\n") {
		t.Fatalf("want exactly one line, have %q", b.String())
	}
	var m map[string]any
	if err := json.Unmarshal(b.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	for _, f := range reportFields {
		if _, ok := m[f]; !ok {
			t.Errorf("want field %q, have none in %s", f, b.String())
		}
	}
	ratios := map[string]float64{"latency_ratio": 2, "throughput_ratio": 0.05, "write_latency_ratio": 0.3,
		"fanout_latency_ratio": 1.5, "ref_clients": 16, "ref_throughput_ratio": 0.25, "ref_write_throughput_ratio": 0.5}
	for f, want := range ratios {
		if have := m[f]; have != want {
			t.Errorf("%s: want %v, have %v", f, want, have)
		}
	}
}

func TestReport_WriteTable(t *testing.T) {
	tests := map[string]struct {
		edit func(*Report)
		want []string
	}{
		"passed": {edit: func(*Report) {}, want: []string{"500 ops/s", "p50 300µs, p99 900µs", "1.02 per change",
			"ok: the 16 keys", "quorum 150µs", "2.00× the quorum EVALSHA round trip", "5.0% of the EVALSHA throughput",
			"not the floor: p50 is 1.50× the fan-out", "2000 EVALSHA/s with 16 clients: throughput is 25.0%",
			"1000 quorum writes/s with 16 clients: throughput is 50.0%", "(mean of 9000 before and 11000 after)"}},
		"no reference clients": {edit: func(r *Report) { r.RefClients = 0 }, want: []string{"1.50× the fan-out"}},
		"failed": {edit: func(r *Report) {
			r.Check, r.CheckProblems = CheckFailed, []string{"k holds 3, but 4 increments were acknowledged"}
			r.Errors, r.ErrorKinds = 2, map[string]uint64{KindUnknown: 2}
		}, want: []string{"FAILED: k holds 3", "2 (unknown_outcome 2)"}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			r := sampleReport()
			tt.edit(&r)
			var b bytes.Buffer
			if err := r.WriteTable(&b); err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(b.String(), w) {
					t.Errorf("want %q in the table, have:\n%s", w, b.String())
				}
			}
		})
	}
}

func TestProgressLine_FillsTheBarWithTime(t *testing.T) {
	tests := map[string]struct {
		elapsed time.Duration
		ops     uint64
		want    string
	}{
		"start":   {0, 0, "[....................]   0.0s/10s  0 ops  0 ops/s"},
		"half":    {5 * time.Second, 1000, "[##########..........]   5.0s/10s  1000 ops  200 ops/s"},
		"overrun": {11 * time.Second, 1100, "[####################]  11.0s/10s  1100 ops  100 ops/s"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			if have := ProgressLine(tt.elapsed, 10*time.Second, tt.ops); have != tt.want {
				t.Errorf("want %q, have %q", tt.want, have)
			}
		})
	}
}
