package cli

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// benchTestRun runs `gryadka bench` with args and returns its output and
// exit code.
func benchTestRun(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = Run(NewBenchCommand(), args, &out, &errOut)
	return out.String(), errOut.String(), code
}

func TestBenchCommand_JSONOnEmbeddedNodes(t *testing.T) {
	tests := map[string][]string{
		"own inc":    {"--keys", "own", "--op", "inc", "--clients", "4"},
		"shared rmw": {"--keys", "shared", "--op", "rmw", "--clients", "3", "--proposers", "2"},
	}
	fields := []string{"system", "clients", "keys", "op", "ops", "ops_per_s", "p50_us", "p99_us", "errors", "nodes",
		"proposers", "duration_s", "error_kinds", "prepare_rounds", "accept_rounds", "round_trips_per_change",
		"client_cpu_s", "check", "floor_quorum_p50_us", "floor_ops_per_s", "latency_ratio", "throughput_ratio"}
	for name, extra := range tests {
		t.Run(name, func(t *testing.T) {
			args := append([]string{"--backend", "embedded", "--duration", "1s", "--floor", "100ms", "--json"}, extra...)
			stdout, stderr, code := benchTestRun(t, args...)
			if code != ExitOK {
				t.Fatalf("want exit %d, have %d: %s", ExitOK, code, stderr)
			}
			if want, have := 1, strings.Count(stdout, "\n"); want != have {
				t.Fatalf("want one line of JSON, have %q", stdout)
			}
			var r map[string]any
			if err := json.Unmarshal([]byte(stdout), &r); err != nil {
				t.Fatalf("want JSON, have %q: %v", stdout, err)
			}
			for _, f := range fields {
				if _, ok := r[f]; !ok {
					t.Errorf("want field %q, have none in %s", f, stdout)
				}
			}
			if want, have := "ok", r["check"]; want != have {
				t.Errorf("check: want %v, have %v (%v)", want, have, r["check_problems"])
			}
			if have, _ := r["ops"].(float64); have < 1 {
				t.Errorf("ops: want some, have %v", r["ops"])
			}
			if want, have := float64(3), r["nodes"]; want != have {
				t.Errorf("nodes: want %v, have %v", want, have)
			}
			if have, _ := r["accept_rounds"].(float64); have < 1 {
				t.Errorf("accept_rounds: want some, have %v", r["accept_rounds"])
			}
			if want, have := "embedded", r["backend"]; want != have {
				t.Errorf("backend: want %v, have %v", want, have)
			}
		})
	}
}

func TestBenchCommand_TableOnNodes(t *testing.T) {
	_, nodes := servers(t, 3)
	stdout, stderr, code := benchTestRun(t, "--nodes", nodes, "--duration", "300ms", "--clients", "2", "--floor", "0")
	if code != ExitOK {
		t.Fatalf("want exit %d, have %d: %s", ExitOK, code, stderr)
	}
	for _, want := range []string{"throughput", "latency", "round trips", "ok: the 2 keys hold"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("want %q in the table, have:\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout, "floor") {
		t.Errorf("--floor 0: want no floor, have:\n%s", stdout)
	}
}

func TestBenchCommand_UsageErrors(t *testing.T) {
	tests := map[string]struct {
		args []string
		want string
	}{
		"no nodes":       {args: nil, want: "no nodes"},
		"two sources":    {args: []string{"--nodes", "127.0.0.1:1", "--backend", "embedded"}, want: "only one of"},
		"bad backend":    {args: []string{"--backend", "cloud"}, want: "unknown backend"},
		"bad keys":       {args: []string{"--backend", "embedded", "--keys", "mine"}, want: `--keys "mine"`},
		"bad op":         {args: []string{"--backend", "embedded", "--op", "dec"}, want: `--op "dec"`},
		"no clients":     {args: []string{"--backend", "embedded", "--clients", "0"}, want: "--clients 0"},
		"zero duration":  {args: []string{"--backend", "embedded", "--duration", "0s"}, want: "--duration"},
		"no proposers":   {args: []string{"--backend", "embedded", "--proposers", "0"}, want: "--proposers 0"},
		"negative batch": {args: []string{"--backend", "embedded", "--max-batch", "-1"}, want: "--max-batch -1"},
		"bad address":    {args: []string{"--nodes", "nowhere"}, want: "want host:port"},
		"missing file":   {args: []string{"--cluster", "/nonexistent/cluster.json"}, want: "--cluster"},
		"unexpected arg": {args: []string{"--backend", "embedded", "extra"}, want: "unknown command"},
		"unknown flag":   {args: []string{"--speed", "fast"}, want: "unknown flag"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			_, stderr, code := benchTestRun(t, tt.args...)
			if code != ExitUsage {
				t.Errorf("want exit %d, have %d", ExitUsage, code)
			}
			if !strings.Contains(stderr, tt.want) {
				t.Errorf("want %q in stderr, have %q", tt.want, stderr)
			}
		})
	}
}

func TestBenchCommand_Unreachable(t *testing.T) {
	_, stderr, code := benchTestRun(t, "--nodes", closedAddr(t)+","+closedAddr(t)+","+closedAddr(t), "--duration", "100ms")
	if code != ExitUnavailable {
		t.Errorf("want exit %d, have %d: %s", ExitUnavailable, code, stderr)
	}
}
