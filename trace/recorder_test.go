package trace

import (
	"bytes"
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gryadka/gryadka/paxos"
)

// newProposer returns a proposer over three fresh MemAcceptors, with a
// clock that ticks one millisecond per reading.
func newProposer(t testing.TB, tracer paxos.Tracer) *paxos.Proposer {
	t.Helper()
	var mu sync.Mutex
	now := at0
	p, err := paxos.NewProposer(paxos.Options{
		ID: "p1", Incarnation: "0", Tracer: tracer,
		Config: paxos.Majority(paxos.NewMemAcceptor("a1"), paxos.NewMemAcceptor("a2"), paxos.NewMemAcceptor("a3")),
		Now: func() time.Time {
			mu.Lock()
			defer mu.Unlock()
			now = now.Add(time.Millisecond)
			return now
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func incr(state []byte) ([]byte, error) {
	n, _ := strconv.Atoi(string(state))
	return []byte(strconv.Itoa(n + 1)), nil
}

func TestRecorder_RecordsAProposerRun(t *testing.T) {
	bus := NewBus()
	p := newProposer(t, bus)
	ctx, cancel := context.WithCancel(t.Context())
	sub := bus.Subscribe(ctx, Lossless())
	var buf bytes.Buffer
	done := make(chan error, 1)
	go func() { done <- NewRecorder(&buf).Run(t.Context(), sub) }()

	for range 3 {
		if _, err := p.Change(paxos.WithLabel(t.Context(), "incr k"), "k", incr); err != nil {
			t.Fatal(err)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("want the recorder to stop cleanly, have %v", err)
	}

	var committed []string
	var seq uint64
	for r, err := range Decode(&buf) {
		if err != nil {
			t.Fatal(err)
		}
		if seq++; r.Seq != seq {
			t.Fatalf("want seq %d, have %d: a lossless recording has no gaps", seq, r.Seq)
		}
		if f, ok := r.Event.(paxos.ChangeFinished); ok && f.Committed {
			committed = append(committed, string(f.Value))
			if f.Label != "incr k" {
				t.Errorf("want label %q, have %q", "incr k", f.Label)
			}
		}
	}
	if want, have := "1 2 3", strings.Join(committed, " "); want != have {
		t.Errorf("want commits %q, have %q", want, have)
	}
	if want := uint64(3 * (1 + 3 + 3 + 1 + 3 + 1)); seq < want-6 {
		t.Errorf("want about %d records (starts, sends, quorums, finishes and most replies), have %d", want, seq)
	}
}

func TestRecorder_ReportsWriteErrors(t *testing.T) {
	bus := NewBus()
	ctx, cancel := context.WithCancel(t.Context())
	sub := bus.Subscribe(ctx)
	bus.Trace(finish(1))
	cancel()
	err := NewRecorder(failWriter{}).Run(t.Context(), sub)
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("want the write error, have %v", err)
	}
	seqs(sub)
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestRecorder_DrainsQueuedRecordsWhenStopped(t *testing.T) {
	bus := NewBus()
	sub := bus.Subscribe(t.Context())
	bus.Trace(start(1))
	bus.Trace(finish(1))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	var buf bytes.Buffer
	if err := NewRecorder(&buf).Run(ctx, sub); err != nil {
		t.Fatalf("want nil, have %v", err)
	}
	if want, have := 2, strings.Count(buf.String(), "\n"); want != have {
		t.Errorf("want %d lines, have %d:\n%s", want, have, buf.String())
	}
}

func TestCollector_KeepsEveryEventInOrder(t *testing.T) {
	var c Collector
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 100 {
				c.Trace(start(paxos.ChangeID(w*1000 + i)))
			}
		})
	}
	wg.Wait()
	records := c.Records()
	if len(records) != 400 {
		t.Fatalf("want 400 records, have %d", len(records))
	}
	last := map[int]paxos.ChangeID{}
	for i, r := range records {
		if r.Seq != uint64(i+1) {
			t.Fatalf("want seq %d, have %d", i+1, r.Seq)
		}
		id := r.Event.(paxos.ChangeStarted).Change
		w := int(id / 1000)
		if prev, ok := last[w]; ok && id < prev {
			t.Errorf("writer %d: want %d after %d, have it before", w, id, prev)
		}
		last[w] = id
	}
}

func TestCollector_TracesAChange(t *testing.T) {
	var c Collector
	p := newProposer(t, &c)
	if _, err := p.Change(t.Context(), "k", incr); err != nil {
		t.Fatal(err)
	}
	events := c.Events()
	if _, ok := events[0].(paxos.ChangeStarted); !ok {
		t.Errorf("want a ChangeStarted first, have %T", events[0])
	}
	f := Formatter{NoLatency: true}
	var finished string
	for _, r := range c.Records() {
		if _, ok := r.Event.(paxos.ChangeFinished); ok {
			finished = f.Format(r)
		}
	}
	if want := `p1.0 #1 committed "1" in 2 RTT`; finished != want {
		t.Errorf("want %q, have %q", want, finished)
	}
}
