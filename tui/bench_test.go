package tui

import (
	"context"
	"fmt"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/gryadka/gryadka/trace"
)

// busyModel returns a model whose panels hold a full history.
func busyModel(b *testing.B, w, h int) (*Model, []trace.Record) {
	te := newTestEnv(b)
	recs := realRecords(b, maxChanges)
	m := New(context.Background(), te.env, nil)
	m.manualTicks = true
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	m.Update(traceBatchMsg{Records: recs})
	for i := range maxSamples {
		m.load.sample(loadSample{OK: float64(i), Latency: time.Duration(i) * time.Microsecond})
	}
	return m, recs
}

// BenchmarkView measures the time to render one frame.
func BenchmarkView(b *testing.B) {
	for _, sz := range [][2]int{{80, 24}, {160, 48}, {240, 70}} {
		b.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(b *testing.B) {
			m, _ := busyModel(b, sz[0], sz[1])
			b.ReportAllocs()
			for b.Loop() {
				_ = m.View()
			}
		})
	}
}

// BenchmarkTraceBatch measures how many trace records Update absorbs per
// second, every panel included.
func BenchmarkTraceBatch(b *testing.B) {
	m, recs := busyModel(b, 160, 48)
	batch := traceBatchMsg{Records: recs[:min(len(recs), maxBatch)]}
	b.ReportAllocs()
	for b.Loop() {
		m.Update(batch)
	}
	b.ReportMetric(float64(b.N*len(batch.Records))/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkAbsorb runs the real path, a bus with a producer tracing as fast
// as it can, the waiting command, Update and a frame rendered every 1/60 s,
// and reports the events absorbed per second and the share lost.
func BenchmarkAbsorb(b *testing.B) {
	m, recs := busyModel(b, 160, 48)
	bus := trace.NewBus()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sub := bus.Subscribe(ctx, trace.WithBuffer(traceBuffer))
	stop := make(chan struct{})
	done := make(chan int)
	go func() {
		n := 0
		for {
			select {
			case <-stop:
				done <- n
				return
			default:
			}
			bus.Trace(recs[n%len(recs)].Event)
			n++
		}
	}()
	absorbed := 0
	lastFrame := time.Now()
	for b.Loop() {
		msg := waitForTrace(sub, maxBatch)().(traceBatchMsg)
		absorbed += len(msg.Records)
		m.Update(msg)
		if time.Since(lastFrame) > time.Second/60 {
			_ = m.View()
			lastFrame = time.Now()
		}
	}
	close(stop)
	produced := <-done
	b.ReportMetric(float64(absorbed)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(sub.Dropped())/float64(max(produced, 1)), "lost-share")
}
