package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// The values of Report.Check.
const (
	CheckOK     = "ok"
	CheckFailed = "failed"
)

// Report is the outcome of Measure, one JSON object. Latencies are in
// microseconds.
type Report struct {
	System              string            `json:"system"`
	Backend             string            `json:"backend,omitempty"`
	Clients             int               `json:"clients"`
	Keys                string            `json:"keys"`
	Op                  string            `json:"op"`
	Ops                 uint64            `json:"ops"`
	OpsPerS             float64           `json:"ops_per_s"`
	P50us               float64           `json:"p50_us"`
	P99us               float64           `json:"p99_us"`
	Errors              uint64            `json:"errors"`
	Nodes               int               `json:"nodes"`
	Proposers           int               `json:"proposers"`
	DurationS           float64           `json:"duration_s"`
	ErrorKinds          map[string]uint64 `json:"error_kinds"`
	PrepareRounds       uint64            `json:"prepare_rounds"`
	AcceptRounds        uint64            `json:"accept_rounds"`
	RoundTripsPerChange float64           `json:"round_trips_per_change"`
	// ClientCPUS is the CPU time of this process during the workload; with
	// embedded nodes it includes theirs.
	ClientCPUS float64 `json:"client_cpu_s"`
	// Check is CheckOK when every key read back holds its acknowledged
	// increments (a range when some outcomes are unknown).
	Check         string   `json:"check"`
	CheckProblems []string `json:"check_problems,omitempty"`
	CheckedKeys   int      `json:"checked_keys"`

	OneRTT   bool `json:"one_rtt"`
	MaxBatch int  `json:"max_batch"` // 0: the proposer's default
	// Changes counts the changes asked of the proposers, retries included
	// (an rmw operation is two).
	Changes uint64 `json:"changes"`

	// The floor, when measured (see Floor), and the ratios against it.
	FloorNodeP50us   map[string]float64 `json:"floor_node_p50_us,omitempty"`
	FloorQuorumP50us float64            `json:"floor_quorum_p50_us,omitempty"`
	FloorFanOutP50us float64            `json:"floor_fanout_p50_us,omitempty"`
	FloorOpsPerS     float64            `json:"floor_ops_per_s,omitempty"`
	// The same for one accept (a write, synced by appendfsync always).
	FloorWriteNodeP50us   map[string]float64 `json:"floor_write_node_p50_us,omitempty"`
	FloorWriteQuorumP50us float64            `json:"floor_write_quorum_p50_us,omitempty"`
	FloorClients          int                `json:"floor_clients,omitempty"`
	// FloorOpsPerSRuns holds each floor throughput averaged into
	// FloorOpsPerS, before and after the workload.
	FloorOpsPerSRuns []float64 `json:"floor_ops_per_s_runs,omitempty"`
	// LatencyRatio is P50us over FloorQuorumP50us.
	LatencyRatio float64 `json:"latency_ratio,omitempty"`
	// WriteLatencyRatio is P50us over FloorWriteQuorumP50us.
	WriteLatencyRatio float64 `json:"write_latency_ratio,omitempty"`
	// ThroughputRatio is OpsPerS over FloorOpsPerS.
	ThroughputRatio float64 `json:"throughput_ratio,omitempty"`

	// Reference lines, never the floor: FanOutLatencyRatio is P50us over
	// FloorFanOutP50us; the others are measured with the workload's
	// clients (see Floor.RefOpsPerSec and Floor.RefWritesPerSec).
	FanOutLatencyRatio      float64 `json:"fanout_latency_ratio,omitempty"`
	RefClients              int     `json:"ref_clients,omitempty"`
	RefOpsPerS              float64 `json:"ref_ops_per_s,omitempty"`
	RefWritesPerS           float64 `json:"ref_quorum_writes_per_s,omitempty"`
	RefThroughputRatio      float64 `json:"ref_throughput_ratio,omitempty"`
	RefWriteThroughputRatio float64 `json:"ref_write_throughput_ratio,omitempty"`
}

func (r *Report) setFloor(f Floor) {
	r.FloorNodeP50us = perNodeMicros(f.Nodes)
	r.FloorQuorumP50us = micros(f.Quorum)
	if len(f.Writes) > 0 {
		r.FloorWriteNodeP50us = perNodeMicros(f.Writes)
		r.FloorWriteQuorumP50us = micros(f.WriteQuorum)
		r.WriteLatencyRatio = round(r.P50us/max(r.FloorWriteQuorumP50us, 0.1), 2)
	}
	r.FloorFanOutP50us = micros(f.FanOut)
	r.FloorOpsPerS = round(f.OpsPerSec, 1)
	r.FloorClients = f.Clients
	for _, x := range f.OpsPerSecRuns {
		r.FloorOpsPerSRuns = append(r.FloorOpsPerSRuns, round(x, 1))
	}
	if r.FloorQuorumP50us > 0 {
		r.LatencyRatio = round(r.P50us/r.FloorQuorumP50us, 2)
	}
	if r.FloorOpsPerS > 0 {
		r.ThroughputRatio = round(r.OpsPerS/r.FloorOpsPerS, 3)
	}
	if r.FloorFanOutP50us > 0 {
		r.FanOutLatencyRatio = round(r.P50us/r.FloorFanOutP50us, 2)
	}
	r.RefClients = f.RefClients
	r.RefOpsPerS = round(f.RefOpsPerSec, 1)
	r.RefWritesPerS = round(f.RefWritesPerSec, 1)
	if r.RefOpsPerS > 0 {
		r.RefThroughputRatio = round(r.OpsPerS/r.RefOpsPerS, 3)
	}
	if r.RefWritesPerS > 0 {
		r.RefWriteThroughputRatio = round(r.OpsPerS/r.RefWritesPerS, 3)
	}
}

func perNodeMicros(nodes []NodeFloor) map[string]float64 {
	m := make(map[string]float64, len(nodes))
	for _, n := range nodes {
		m[n.Name] = micros(n.P50)
	}
	return m
}

// WriteJSON writes r as exactly one line of JSON.
func (r Report) WriteJSON(w io.Writer) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// WriteTable writes r for people, one aligned line per aspect.
func (r Report) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(name, format string, args ...any) {
		fmt.Fprintf(tw, "%s\t%s\n", name, fmt.Sprintf(format, args...))
	}

	rtt, batch := "2RTT", "default"
	if r.OneRTT {
		rtt = "1RTT"
	}
	if r.MaxBatch > 0 {
		batch = fmt.Sprint(r.MaxBatch)
	}
	row("system", "%s on %d %s nodes, %d proposer(s), %s, batch %s", r.System, r.Nodes, r.backend(), r.Proposers, rtt, batch)
	row("workload", "%d clients, %s keys, op %s, %.1fs", r.Clients, r.Keys, r.Op, r.DurationS)
	row("throughput", "%.0f ops/s (%d ops)", r.OpsPerS, r.Ops)
	row("latency", "p50 %s, p99 %s", us(r.P50us), us(r.P99us))
	row("errors", "%d%s", r.Errors, kinds(r.ErrorKinds))
	row("round trips", "%d prepare + %d accept for %d changes: %.2f per change",
		r.PrepareRounds, r.AcceptRounds, r.Changes, r.RoundTripsPerChange)
	row("client cpu", "%.2fs (%.0f%% of one core)", r.ClientCPUS, 100*r.ClientCPUS/max(r.DurationS, 1e-9))
	if r.Check == CheckOK {
		row("check", "ok: the %d keys hold their acknowledged increments", r.CheckedKeys)
	} else {
		row("check", "FAILED: %s", strings.Join(r.CheckProblems, "; "))
	}
	if r.FloorClients > 0 {
		row("floor", "EVALSHA p50 %s; quorum %s; fan-out %s", perNodeText(r.FloorNodeP50us),
			us(r.FloorQuorumP50us), us(r.FloorFanOutP50us))
		if len(r.FloorWriteNodeP50us) > 0 {
			row("", "one accept p50 %s; quorum %s", perNodeText(r.FloorWriteNodeP50us), us(r.FloorWriteQuorumP50us))
		}
		row("", "%.0f EVALSHA/s with %d clients%s", r.FloorOpsPerS, r.FloorClients, runsText(r.FloorOpsPerSRuns))
		row("vs floor", "p50 is %.2f× the quorum EVALSHA round trip (%.2f× the quorum accept)",
			r.LatencyRatio, r.WriteLatencyRatio)
		row("", "throughput is %.1f%% of the EVALSHA throughput", 100*r.ThroughputRatio)
		r.refRows(row)
	}
	return tw.Flush()
}

// refRows writes the reference lines, labelled as such: they explain the
// ratios to the floor and never replace it.
func (r Report) refRows(row func(name, format string, args ...any)) {
	row("reference", "not the floor: p50 is %.2f× the fan-out", r.FanOutLatencyRatio)
	if r.RefClients == 0 {
		return
	}
	row("", "%.0f EVALSHA/s with %d clients: throughput is %.1f%% of it", r.RefOpsPerS, r.RefClients,
		100*r.RefThroughputRatio)
	if r.RefWritesPerS > 0 {
		row("", "%.0f quorum writes/s with %d clients: throughput is %.1f%% of it", r.RefWritesPerS, r.RefClients,
			100*r.RefWriteThroughputRatio)
	}
}

// runsText shows the measurements a mean was taken of: " (mean of 9000
// before and 11000 after)".
func runsText(runs []float64) string {
	if len(runs) != 2 {
		return ""
	}
	return fmt.Sprintf(" (mean of %.0f before and %.0f after)", runs[0], runs[1])
}

func perNodeText(m map[string]float64) string {
	names := slices.Sorted(maps.Keys(m))
	per := make([]string, len(names))
	for i, n := range names {
		per[i] = n + " " + us(m[n])
	}
	return strings.Join(per, ", ")
}

func (r Report) backend() string {
	if r.Backend == "" {
		return "remote"
	}
	return r.Backend
}

// us formats microseconds as a duration, "812µs" or "2.1ms".
func us(x float64) string {
	return time.Duration(x * float64(time.Microsecond)).Round(time.Microsecond).String()
}

func kinds(m map[string]uint64) string {
	if len(m) == 0 {
		return ""
	}
	parts := make([]string, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

// ProgressLine describes a run in progress in one line, with a bar:
// "[#####.....]  5.0s/10s  12345 ops  2469 ops/s".
func ProgressLine(elapsed, total time.Duration, ops uint64) string {
	const width = 20
	filled := 0
	if total > 0 {
		filled = min(width, int(float64(width)*elapsed.Seconds()/total.Seconds()))
	}
	rate := 0.0
	if elapsed > 0 {
		rate = float64(ops) / elapsed.Seconds()
	}
	return fmt.Sprintf("[%s%s] %5.1fs/%s  %d ops  %.0f ops/s", strings.Repeat("#", filled),
		strings.Repeat(".", width-filled), elapsed.Seconds(), total, ops, rate)
}
