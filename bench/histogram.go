// Package bench is gryadka's load generator: clients running increments or
// read-modify-writes through proposers, a latency histogram, the floor of
// a bare script round trip to the same nodes, the check that every key
// holds its acknowledged increments, and the report.
package bench

import (
	"math/bits"
	"time"
)

// subBits sets the precision of Histogram: each power of two is split into
// 2^subBits buckets, so a bucket is at most 1/64 (1.6%) of its value wide.
const subBits = 6

const (
	subCount = 1 << subBits
	nBuckets = (64 - subBits + 1) * subCount
)

// Histogram counts durations in buckets about 1.6% wide, from a
// nanosecond to centuries, in fixed memory. It is not safe for concurrent
// use: give each client its own and Merge them at the end. Its zero value
// is ready.
type Histogram struct {
	counts [nBuckets]uint64
	n      uint64
	max    time.Duration
}

// Record counts one duration; negative ones count as zero.
func (h *Histogram) Record(d time.Duration) {
	d = max(d, 0)
	h.counts[bucketOf(uint64(d))]++
	h.n++
	h.max = max(h.max, d)
}

// Merge adds o's counts to h.
func (h *Histogram) Merge(o *Histogram) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.n += o.n
	h.max = max(h.max, o.max)
}

// Count returns how many durations were recorded.
func (h *Histogram) Count() uint64 { return h.n }

// Max returns the longest duration recorded.
func (h *Histogram) Max() time.Duration { return h.max }

// Quantile returns the duration below which a fraction q of the recorded
// ones fall (q in [0, 1]), to within a bucket's width; 0 when empty.
func (h *Histogram) Quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := uint64(q*float64(h.n) + 0.5)
	rank = min(max(rank, 1), h.n)
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			return min(time.Duration(bucketMid(i)), h.max)
		}
	}
	return h.max
}

// bucketOf returns the bucket of v: values below subCount have one bucket
// each; above, the top subBits+1 bits of v choose it.
func bucketOf(v uint64) int {
	if v < subCount {
		return int(v)
	}
	shift := bits.Len64(v) - subBits - 1
	top := v >> shift // in [subCount, 2*subCount)
	return (shift+1)*subCount + int(top-subCount)
}

// bucketMid returns the middle of bucket i's range of values.
func bucketMid(i int) uint64 {
	if i < subCount {
		return uint64(i)
	}
	shift := i/subCount - 1
	top := uint64(i%subCount + subCount)
	return top<<shift + (uint64(1)<<shift)/2
}
