package serve

import (
	"net/http"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// scrape reads /metrics and parses it.
func (env *testEnv) scrape(t *testing.T) map[string]*dto.MetricFamily {
	t.Helper()
	req, err := http.NewRequestWithContext(testCtx(t), http.MethodGet, env.url+"/metrics", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := env.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("want 200, have %s", resp.Status)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	families, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return families
}

// sample returns the value of the metric of family name whose labels
// include labels (name=value pairs), or -1 when there is none.
func sample(families map[string]*dto.MetricFamily, name string, labels ...string) float64 {
	f := families[name]
	if f == nil {
		return -1
	}
next:
	for _, m := range f.GetMetric() {
		have := map[string]string{}
		for _, l := range m.GetLabel() {
			have[l.GetName()] = l.GetValue()
		}
		for i := 0; i+1 < len(labels); i += 2 {
			if have[labels[i]] != labels[i+1] {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue()
		case m.Gauge != nil:
			return m.Gauge.GetValue()
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount())
		}
	}
	return -1
}

func TestServer_MetricsCountChanges(t *testing.T) {
	env := startEnv(t, envOptions{oneRTT: true})
	ctx := testCtx(t)
	before := env.scrape(t)
	if have := sample(before, "gryadka_changes_total", "op", "set", "outcome", "ok"); have != -1 {
		t.Errorf("want no set counted yet, have %v", have)
	}
	for range 2 {
		if _, err := env.client.Set(ctx, "m", 1); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := env.client.CAS(ctx, "m", 9, 2); err == nil {
		t.Fatal("want a version mismatch")
	}
	families := env.scrape(t)
	tests := map[string]struct {
		name   string
		labels []string
		want   float64
	}{
		"sets":              {"gryadka_changes_total", []string{"op", "set", "outcome", "ok"}, 2},
		"cas mismatch":      {"gryadka_changes_total", []string{"op", "cas", "outcome", CodeVersionMismatch}, 1},
		"set latencies":     {"gryadka_change_duration_seconds", []string{"op", "set"}, 2},
		"committed rounds":  {"gryadka_paxos_rounds_total", []string{"result", "committed"}, 3},
		"won accepts":       {"gryadka_paxos_phases_total", []string{"phase", "accept", "result", "won"}, 3},
		"won prepares":      {"gryadka_paxos_phases_total", []string{"phase", "prepare", "result", "won"}, 1},
		"one-rtt rounds":    {"gryadka_paxos_one_rtt_rounds_total", nil, 2},
		"config version":    {"gryadka_config_version", nil, 1},
		"nothing in flight": {"gryadka_changes_in_flight", nil, 0},
		"no conflicts":      {"gryadka_paxos_conflicts_total", nil, 0},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			if have := sample(families, tt.name, tt.labels...); have != tt.want {
				t.Errorf("want %s%v = %v, have %v", tt.name, tt.labels, tt.want, have)
			}
		})
	}
}
