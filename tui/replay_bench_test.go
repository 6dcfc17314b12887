package tui

import (
	"context"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

// BenchmarkReplay_StepBack measures one step back at the end of a
// recording of 2,000 changes, a rebuild of every panel from the start,
// and one step forward again.
func BenchmarkReplay_StepBack(b *testing.B) {
	rec := Recording{Name: "bench", Records: realRecords(b, 2000)}
	r := NewReplay(context.Background(), rec)
	r.Update(tea.WindowSizeMsg{Width: 160, Height: 48})
	r.moveTo(len(rec.Records))
	for b.Loop() {
		r.moveTo(len(rec.Records) - 1)
		r.moveTo(len(rec.Records))
	}
	b.ReportMetric(float64(len(rec.Records)), "records")
}

// BenchmarkReplay_Play measures playing a whole recording of 2,000
// changes, at any speed: every record through the panels.
func BenchmarkReplay_Play(b *testing.B) {
	rec := Recording{Name: "bench", Records: realRecords(b, 2000)}
	for b.Loop() {
		r := NewReplay(context.Background(), rec)
		r.Update(tea.WindowSizeMsg{Width: 160, Height: 48})
		r.moveTo(len(rec.Records))
	}
	b.ReportMetric(float64(len(rec.Records)), "records")
}
