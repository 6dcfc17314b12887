package tui

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/gryadka/gryadka/check"
	"github.com/gryadka/gryadka/kv"
	"github.com/gryadka/gryadka/paxos"
)

// Workload tuning.
const (
	clientsPerKey = 4                // at most 8 per key keeps the checker fast
	segmentLength = 10 * time.Second // the history checked at once
	checkTimeout  = 5 * time.Second
	opTimeout     = 2 * time.Second
)

// segment is a stretch of the workload with its own keys and history, so
// each can be checked alone and memory stays bounded.
type segment struct {
	id       int
	keys     []string
	rec      *check.Recorder
	started  time.Time
	inFlight atomic.Int64 // operations started and not yet recorded
}

// settled waits until the segment's operations finished, at most d, so
// that an operation cut by the end of the segment is not taken for one
// of unknown outcome.
func (s *segment) settled(d time.Duration) {
	deadline := time.Now().Add(d)
	for s.inFlight.Load() > 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
}

// workload runs read-modify-write clients in the background: increments,
// reads, and compare-and-sets on the versions they read. Its goroutines
// end on stop.
type workload struct {
	clients int
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	seg     atomic.Pointer[segment]

	ok, failed, unknown, refused atomic.Uint64
	latSum, latN                 atomic.Int64

	// Read and written by Update only.
	prev    [4]uint64
	prevLat [2]int64
	prevAt  time.Time
	nextSeg int
}

// loadSample is the workload's rates over one tick.
type loadSample struct {
	At                           time.Time
	OK, Failed, Unknown, Refused float64 // per second
	Latency                      time.Duration
}

// checkResultMsg is the verdict on one segment of the workload.
type checkResultMsg struct {
	Segment int
	Result  check.Result
}

func startWorkload(ctx context.Context, stores []KV, clients int) *workload {
	ctx, cancel := context.WithCancel(ctx)
	w := &workload{clients: clients, cancel: cancel, prevAt: time.Now()}
	w.rotate(time.Now())
	for i := range clients {
		w.wg.Go(func() { w.client(ctx, i, stores[i%len(stores)]) })
	}
	return w
}

// rotate starts a new segment and returns the one it ends, if any.
func (w *workload) rotate(at time.Time) *segment {
	w.nextSeg++
	n := max(1, (w.clients+clientsPerKey-1)/clientsPerKey)
	s := &segment{id: w.nextSeg, rec: check.NewRecorder(), started: at}
	for i := range n {
		s.keys = append(s.keys, fmt.Sprintf("load:%d:%d:%d", at.Unix(), s.id, i))
	}
	return w.seg.Swap(s)
}

func (w *workload) stop() {
	w.cancel()
	w.wg.Wait()
}

func (w *workload) client(ctx context.Context, id int, store KV) {
	rng := rand.New(rand.NewPCG(uint64(id), uint64(time.Now().UnixNano())))
	versions := map[string]uint64{}
	var written int64
	for ctx.Err() == nil {
		s := w.seg.Load()
		k := s.keys[rng.IntN(len(s.keys))]
		in := check.Input{Kind: check.OpIncr, Key: k}
		switch r := rng.IntN(20); {
		case r < 5:
			in.Kind = check.OpGet
		case r < 8:
			written++
			in.Kind, in.Version, in.Value = check.OpCAS, versions[k], check.UniqueValue(id, written)
		}
		start := time.Now()
		s.inFlight.Add(1)
		pending := s.rec.Invoke(id, in)
		opCtx, cancel := context.WithTimeout(ctx, opTimeout)
		e, err := w.do(opCtx, store, in)
		cancel()
		out := w.outcome(e, err)
		if ctx.Err() != nil && out.Outcome != check.OutcomeOK {
			out.Outcome = check.OutcomeUnknown // cancelled by stop: say nothing false
		}
		pending.Return(out)
		s.inFlight.Add(-1)
		if out.Version > 0 {
			versions[k] = out.Version
		}
		w.latSum.Add(int64(time.Since(start)))
		w.latN.Add(1)
	}
}

func (w *workload) do(ctx context.Context, store KV, in check.Input) (kv.Entry, error) {
	switch in.Kind {
	case check.OpGet:
		return store.Get(ctx, in.Key)
	case check.OpCAS:
		return store.CAS(ctx, in.Key, in.Version, in.Value)
	}
	return store.Incr(ctx, in.Key, 1)
}

// outcome translates a result of the key-value layer for the checker,
// and counts it.
func (w *workload) outcome(e kv.Entry, err error) check.Output {
	var op *kv.OpError
	if errors.As(err, &op) {
		e = op.Entry
	}
	var mismatch *kv.MismatchError
	out := check.Output{Outcome: check.OutcomeOK, Exists: e.Live(), Version: e.Version, Versioned: true}
	if v, ok := e.Value.(int64); ok && out.Exists {
		out.Value = v
	}
	switch {
	case err == nil || errors.Is(err, kv.ErrNotFound):
		w.ok.Add(1)
	case errors.As(err, &mismatch):
		out = check.Output{Outcome: check.OutcomeRefused, Version: mismatch.Current, Versioned: true}
		w.refused.Add(1)
	case errors.Is(err, kv.ErrUnknownOutcome) || paxos.IsIndefinite(err):
		out = check.Output{Outcome: check.OutcomeUnknown}
		w.unknown.Add(1)
	default:
		out = check.Output{Outcome: check.OutcomeFailed}
		w.failed.Add(1)
	}
	return out
}

// sample returns the rates since the previous sample. Update calls it.
func (w *workload) sample(at time.Time) loadSample {
	now := [4]uint64{w.ok.Load(), w.failed.Load(), w.unknown.Load(), w.refused.Load()}
	lat := [2]int64{w.latSum.Load(), w.latN.Load()}
	d := at.Sub(w.prevAt).Seconds()
	if d <= 0 {
		d = 1
	}
	s := loadSample{At: at,
		OK: float64(now[0]-w.prev[0]) / d, Failed: float64(now[1]-w.prev[1]) / d,
		Unknown: float64(now[2]-w.prev[2]) / d, Refused: float64(now[3]-w.prev[3]) / d}
	if n := lat[1] - w.prevLat[1]; n > 0 {
		s.Latency = time.Duration((lat[0] - w.prevLat[0]) / n)
	}
	w.prev, w.prevLat, w.prevAt = now, lat, at
	return s
}

// checkCmd ends the workload's segment once it is long enough and checks
// its history off the UI goroutine.
func (m *Model) checkCmd(at time.Time) tea.Cmd {
	if m.work == nil || at.Sub(m.work.seg.Load().started) < segmentLength {
		return nil
	}
	old := m.work.rotate(at)
	return func() tea.Msg {
		old.settled(opTimeout + time.Second)
		return checkResultMsg{Segment: old.id, Result: check.Check(old.rec.History(), checkTimeout)}
	}
}
