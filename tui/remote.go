package tui

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/gryadka/gryadka/paxos"
	"github.com/gryadka/gryadka/serve"
)

// Reconnection of a remote proposer's trace stream.
const (
	minRedial = 100 * time.Millisecond
	maxRedial = 5 * time.Second
)

// RemoteProposer is a `gryadka serve` proposer. Its trace stream, relayed
// by Relay, tells its ballot counter and changes in flight; its /config
// tells its configuration. It cannot be switched from here: its 1RTT and
// round timeout are its own process's flags.
type RemoteProposer struct {
	C *serve.Client

	id string

	mu        sync.Mutex
	last      ProposerStatus
	counter   uint64
	inFlight  int
	streamErr string // why the trace stream is down, "" while it is up
}

var _ Proposer = (*RemoteProposer)(nil)

// NewRemoteProposer returns the proposer behind c, whose /config said its
// ID is id.
func NewRemoteProposer(c *serve.Client, id string) *RemoteProposer {
	return &RemoteProposer{C: c, id: id, last: ProposerStatus{ID: shortProposer(id), Remote: c.URL()},
		streamErr: "not connected yet"}
}

// ID implements Proposer.
func (r *RemoteProposer) ID() string { return r.id }

// Status implements Proposer: the configuration from /config, the figures
// from the trace. An unreachable server keeps its last known figures.
func (r *RemoteProposer) Status(ctx context.Context) ProposerStatus {
	doc, err := r.C.Config(ctx)
	r.mu.Lock()
	defer r.mu.Unlock()
	if err == nil {
		c := doc.Config
		r.last.Prepare, r.last.Accept = c.Prepare, c.Accept
		r.last.PrepareQuorum, r.last.AcceptQuorum = c.PrepareQuorum, c.AcceptQuorum
	}
	st := r.last
	st.Counter, st.InFlight = r.counter, r.inFlight
	switch {
	case err != nil:
		st.Down = "unreachable: " + err.Error()
	case r.streamErr != "":
		st.Down = "trace stream lost, reconnecting: " + r.streamErr
	}
	return st
}

// SetOneRTT implements Proposer: a serve proposer is set up by its own
// flags, so it fails.
func (r *RemoteProposer) SetOneRTT(bool) error {
	return fmt.Errorf("%w: %s runs in its own process, where its 1RTT setting is chosen", ErrUnavailable, r.C.URL())
}

// SetRoundTimeout implements Proposer: a serve proposer is set up by its
// own flags, so it fails.
func (r *RemoteProposer) SetRoundTimeout(time.Duration) error {
	return fmt.Errorf("%w: %s runs in its own process, where its round timeout is chosen", ErrUnavailable, r.C.URL())
}

// Relay feeds the proposer's trace stream into tracer until ctx ends,
// reconnecting with a growing pause while the server cannot be reached;
// Status reports the stream down meanwhile.
func (r *RemoteProposer) Relay(ctx context.Context, tracer paxos.Tracer) {
	pause := minRedial
	for ctx.Err() == nil {
		r.setStream("")
		got := false
		var lost error
		for rec, err := range r.C.Trace(ctx) {
			if err != nil {
				lost = err
				break
			}
			got = true
			r.observe(rec.Event)
			tracer.Trace(rec.Event)
		}
		if ctx.Err() != nil {
			return
		}
		if lost == nil {
			lost = fmt.Errorf("%s closed the stream", r.C.URL())
		}
		r.setStream(lost.Error())
		if got {
			pause = minRedial
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(pause):
		}
		pause = min(2*pause, maxRedial)
	}
}

func (r *RemoteProposer) setStream(why string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.streamErr = why
	if why != "" {
		r.inFlight = 0 // its finishes were lost with the stream
	}
}

// observe follows the proposer's own rounds in its trace.
func (r *RemoteProposer) observe(e paxos.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch e := e.(type) {
	case paxos.ChangeStarted:
		if shortProposer(e.Proposer) == shortProposer(r.id) {
			r.counter = max(r.counter, e.Ballot.Counter)
			r.inFlight++
		}
	case paxos.ChangeFinished:
		if shortProposer(e.Proposer) == shortProposer(r.id) && r.inFlight > 0 {
			r.inFlight--
		}
	}
}
