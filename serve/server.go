// Package serve runs one CASPaxos proposer behind an HTTP API: the
// key-value operations of package kv, an admin API to read and replace the
// proposer's configuration, its trace as server-sent events and its
// metrics for Prometheus (see api.go for the routes). Client is the Go
// client of that API.
package serve

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gryadka/gryadka/cluster"
	"github.com/gryadka/gryadka/kv"
	"github.com/gryadka/gryadka/paxos"
	"github.com/gryadka/gryadka/trace"
)

// DefaultAddr is where a server listens unless told otherwise: loopback
// only, since the API has no authentication.
const DefaultAddr = "127.0.0.1:8080"

// Defaults of Options.
const (
	DefaultID             = "p1"
	DefaultRequestTimeout = 10 * time.Second
)

// shutdownGrace is how long Serve waits for requests in flight once its
// context ends.
const shutdownGrace = 5 * time.Second

// Options configure a Server.
type Options struct {
	// ID names the proposer in ballots and traces (default DefaultID).
	ID string
	// File is the cluster: its nodes, the identity they hold (empty: not
	// checked), the key namespace, and the configuration the proposer
	// starts with.
	File cluster.File
	// OneRTT enables the one-round-trip optimization.
	OneRTT bool
	// RoundTimeout bounds a round whose quorum does not answer (default:
	// the proposer's, 3s).
	RoundTimeout time.Duration
	// AcceptorTimeout bounds dialing a node and each call to it (default
	// cluster.DefaultAcceptorTimeout).
	AcceptorTimeout time.Duration
	// RequestTimeout bounds each key-value request, conflict retries
	// included (default DefaultRequestTimeout).
	RequestTimeout time.Duration
	// Link, if not nil, wraps each acceptor, for example in a link of a
	// cluster.Network to inject faults.
	Link func(paxos.Acceptor) paxos.Acceptor
	// Warn receives warnings, one line each, such as the nodes that could
	// not be reached at start; nil discards them.
	Warn io.Writer
	// GC, if not nil, runs a garbage collector in the server while it
	// serves (gc_collector.go).
	GC *GCOptions
}

// Server is one proposer and its HTTP API. Build it with New, run it with
// Serve, or mount Handler in a server of your own, and Close it after.
type Server struct {
	opts     Options
	bus      *trace.Bus
	proposer *paxos.Proposer
	store    *kv.Store
	metrics  *metrics
	handler  http.Handler

	version atomic.Uint64 // of the configuration; written under mu

	mu       sync.Mutex         // serializes configuration changes; guards the fields below
	nodes    []cluster.FileNode // every node the configuration may name
	config   cluster.FileConfig
	conns    map[string]*node // the nodes the configuration names
	retiring sync.WaitGroup   // connections closing after a change

	closing   chan struct{} // closed when Serve shuts down: ends /trace streams
	closeOnce sync.Once

	gc *gcRunner // nil without Options.GC
}

// New connects to the nodes the configuration of opts.File names and
// starts a proposer over them. Nodes it cannot reach are warned about and
// counted as missing votes, dialed again as calls need them; it fails,
// wrapping paxos.ErrNoQuorum, when the reachable ones cannot form a quorum.
func New(ctx context.Context, opts Options) (*Server, error) {
	if opts.ID == "" {
		opts.ID = DefaultID
	}
	if err := paxos.ValidateProposerID(opts.ID); err != nil {
		return nil, err
	}
	if err := validateFile(opts.File); err != nil {
		return nil, err
	}
	if opts.RequestTimeout <= 0 {
		opts.RequestTimeout = DefaultRequestTimeout
	}
	if opts.AcceptorTimeout <= 0 {
		opts.AcceptorTimeout = cluster.DefaultAcceptorTimeout
	}
	if opts.Warn == nil {
		opts.Warn = io.Discard
	}
	s := &Server{opts: opts, bus: trace.NewBus(), nodes: opts.File.Nodes, config: opts.File.Config,
		closing: make(chan struct{})}
	s.version.Store(1)
	named := configured(opts.File.Nodes, opts.File.Config)
	nodes, errs, err := s.dialAll(ctx, named)
	if err != nil {
		return nil, err
	}
	s.conns = map[string]*node{}
	accs := make([]paxos.Acceptor, len(nodes))
	reachable := map[string]bool{}
	var failures []string
	for i, n := range nodes {
		s.conns[n.file.Name] = n
		accs[i] = n.acc
		if errs[i] != nil {
			failures = append(failures, errs[i].Error())
			continue
		}
		reachable[n.file.Name] = true
	}
	config, err := opts.File.PaxosConfig(accs)
	if err == nil {
		if why := config.QuorumMissing(reachable); why != "" {
			err = fmt.Errorf("serve: cannot reach a quorum: %s: %w:\n  %s", why, paxos.ErrNoQuorum, strings.Join(failures, "\n  "))
		}
	}
	if err == nil {
		s.metrics = newMetrics(s)
		s.proposer, err = paxos.NewProposer(paxos.Options{ID: opts.ID, Config: config, OneRTT: opts.OneRTT,
			RoundTimeout: opts.RoundTimeout, Tracer: tee{metrics: s.metrics, bus: s.bus}})
	}
	if err != nil {
		_ = s.closeConns()
		return nil, err
	}
	for _, f := range failures {
		fmt.Fprintf(opts.Warn, "warning: unreachable, counted as a missing vote until it answers: %s\n", f)
	}
	s.store = kv.New(s.proposer)
	s.handler = s.routes()
	if opts.GC != nil {
		if s.gc, err = s.newGC(*opts.GC); err != nil {
			_ = s.closeConns()
			return nil, err
		}
	}
	return s, nil
}

// validateFile validates f as cluster.File.Validate does, except that an
// empty identity is allowed: nodes given by address only (--nodes) are
// not checked for one.
func validateFile(f cluster.File) error {
	if f.Identity == "" {
		f.Identity = "none"
	}
	return f.Validate()
}

// configured returns the nodes that config names, in the order of nodes.
func configured(nodes []cluster.FileNode, config cluster.FileConfig) []cluster.FileNode {
	named := map[string]bool{}
	for _, n := range append(append([]string(nil), config.Prepare...), config.Accept...) {
		named[n] = true
	}
	var out []cluster.FileNode
	for _, n := range nodes {
		if named[n.Name] {
			out = append(out, n)
		}
	}
	return out
}

// Proposer returns the server's proposer.
func (s *Server) Proposer() *paxos.Proposer { return s.proposer }

// Bus returns the bus that carries the proposer's trace; /trace streams it.
func (s *Server) Bus() *trace.Bus { return s.bus }

// Handler returns the HTTP API.
func (s *Server) Handler() http.Handler { return s.handler }

// Serve answers requests on ln until ctx ends, then shuts down: it stops
// accepting, ends /trace streams and waits a few seconds for the requests
// in flight. It returns nil after a shutdown by ctx. With Options.GC it
// runs the garbage collector meanwhile.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		// /trace lifts the write deadline for its stream.
		WriteTimeout:   s.opts.RequestTimeout + 10*time.Second,
		IdleTimeout:    2 * time.Minute,
		MaxHeaderBytes: 64 << 10,
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	gcCtx, stopGC := context.WithCancel(ctx)
	defer s.startGC(gcCtx)()
	defer stopGC()
	select {
	case err := <-done:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	s.closeOnce.Do(func() { close(s.closing) })
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	err := srv.Shutdown(shutdownCtx)
	if errors.Is(err, context.DeadlineExceeded) {
		err = srv.Close()
	}
	if serr := <-done; !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	if err != nil {
		return fmt.Errorf("serve: shutting down: %w", err)
	}
	return nil
}

// Close closes the connections to the nodes. Call it once Serve returned
// or the Handler is no longer served; changes still running fail.
func (s *Server) Close() error {
	s.closeOnce.Do(func() { close(s.closing) })
	s.retiring.Wait()
	return s.closeConns()
}

func (s *Server) closeConns() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []error
	for name, n := range s.conns {
		errs = append(errs, n.conn.Close())
		delete(s.conns, name)
	}
	return errors.Join(errs...)
}

// tee traces to the metrics, always, and to the bus while anyone listens.
type tee struct {
	metrics *metrics
	bus     *trace.Bus
}

// Enabled implements paxos.Tracer: the metrics need every event.
func (tee) Enabled() bool { return true }

// Trace implements paxos.Tracer.
func (t tee) Trace(e paxos.Event) {
	t.metrics.observe(e)
	if t.bus.Enabled() {
		t.bus.Trace(e)
	}
}
