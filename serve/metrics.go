package serve

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/gryadka/gryadka/paxos"
)

// metrics are one server's Prometheus metrics, in a registry of its own.
// The paxos ones are fed synchronously by the proposer's tracer, so they
// lose nothing; the request ones by the key-value handlers.
type metrics struct {
	reg       *prometheus.Registry
	requests  *prometheus.CounterVec
	latency   *prometheus.HistogramVec
	rounds    *prometheus.CounterVec
	phases    *prometheus.CounterVec
	conflicts prometheus.Counter
	forwards  prometheus.Counter
	oneRTT    prometheus.Counter
}

func newMetrics(s *Server) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gryadka_changes_total",
			Help: "Key-value operations answered, by operation (get, set, cas, incr, del, change) and outcome (ok or the problem code).",
		}, []string{"op", "outcome"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "gryadka_change_duration_seconds",
			Help:    "Time to answer a key-value operation, retries included, by operation.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 16),
		}, []string{"op"}),
		rounds: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gryadka_paxos_rounds_total",
			Help: "CASPaxos rounds finished, by result (committed, failed, unknown).",
		}, []string{"result"}),
		phases: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gryadka_paxos_phases_total",
			Help: "Phases decided, by phase (prepare, accept) and result (won, lost).",
		}, []string{"phase", "result"}),
		conflicts: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "gryadka_paxos_conflicts_total",
			Help: "Acceptor replies refusing a ballot because they had seen a higher one.",
		}),
		forwards: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "gryadka_paxos_fast_forwards_total",
			Help: "Times a conflict moved the ballot counter past a ballot seen at an acceptor.",
		}),
		oneRTT: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "gryadka_paxos_one_rtt_rounds_total",
			Help: "Rounds that skipped the prepare phase thanks to the one-round-trip optimization.",
		}),
	}
	m.reg.MustRegister(m.requests, m.latency, m.rounds, m.phases, m.conflicts, m.forwards, m.oneRTT,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "gryadka_changes_in_flight",
			Help: "Changes queued or running in the proposer.",
		}, func() float64 { return float64(s.proposer.InFlight()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "gryadka_config_version",
			Help: "Version of the proposer's configuration: 1 at start, one more per replacement.",
		}, func() float64 { return float64(s.version.Load()) }),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return m
}

// handler serves the registry in the Prometheus text format.
func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// request counts one key-value operation and its time.
func (m *metrics) request(op, outcome string, elapsed time.Duration) {
	m.requests.WithLabelValues(op, outcome).Inc()
	m.latency.WithLabelValues(op).Observe(elapsed.Seconds())
}

// observe counts what one trace event tells. It must not block.
func (m *metrics) observe(e paxos.Event) {
	switch e := e.(type) {
	case paxos.ChangeStarted:
		if e.OneRTT {
			m.oneRTT.Inc()
		}
	case paxos.ReplyReceived:
		if !e.Seen.IsZero() {
			m.conflicts.Inc()
		}
	case paxos.QuorumDecided:
		m.phases.WithLabelValues(e.Phase.String(), e.Result.String()).Inc()
	case paxos.BallotFastForwarded:
		m.forwards.Inc()
	case paxos.ChangeFinished:
		result := "committed"
		switch {
		case e.Indefinite:
			result = "unknown"
		case !e.Committed:
			result = "failed"
		}
		m.rounds.WithLabelValues(result).Inc()
	}
}
