package tui

import "time"

// meter counts events between ticks and smooths their latency.
type meter struct {
	count int           // since the last roll
	rate  float64       // per second, over the last window
	lat   time.Duration // exponentially weighted mean
}

// observe counts one event that took lat.
func (m *meter) observe(lat time.Duration) {
	m.count++
	if m.lat == 0 {
		m.lat = lat
		return
	}
	m.lat += (lat - m.lat) / 8
}

// roll closes a window of length d and returns its count.
func (m *meter) roll(d time.Duration) int {
	n := m.count
	if d > 0 {
		m.rate = float64(n) / d.Seconds()
	}
	m.count = 0
	return n
}
