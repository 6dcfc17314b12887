package bench

import (
	"testing"
	"time"
)

func TestHistogram_Quantile(t *testing.T) {
	uniform := func() *Histogram {
		var h Histogram
		for i := 1; i <= 1000; i++ {
			h.Record(time.Duration(i) * time.Microsecond)
		}
		return &h
	}
	tests := map[string]struct {
		h    *Histogram
		q    float64
		want time.Duration
	}{
		"empty":          {h: &Histogram{}, q: 0.5, want: 0},
		"one value":      {h: func() *Histogram { var h Histogram; h.Record(42 * time.Microsecond); return &h }(), q: 0.99, want: 42 * time.Microsecond},
		"uniform p50":    {h: uniform(), q: 0.5, want: 500 * time.Microsecond},
		"uniform p99":    {h: uniform(), q: 0.99, want: 990 * time.Microsecond},
		"uniform p0":     {h: uniform(), q: 0, want: time.Microsecond},
		"uniform p100":   {h: uniform(), q: 1, want: 1000 * time.Microsecond},
		"negative is 0":  {h: func() *Histogram { var h Histogram; h.Record(-time.Second); return &h }(), q: 0.5, want: 0},
		"small integers": {h: func() *Histogram { var h Histogram; h.Record(3); h.Record(5); h.Record(7); return &h }(), q: 0.5, want: 5},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			have := tt.h.Quantile(tt.q)
			if !near(have, tt.want) {
				t.Errorf("want %v, have %v", tt.want, have)
			}
		})
	}
}

// near reports whether have is within a bucket's width (1/64) of want.
func near(have, want time.Duration) bool {
	diff := have - want
	if diff < 0 {
		diff = -diff
	}
	return diff <= want/64
}

func TestHistogram_BucketsKeepPrecision(t *testing.T) {
	for v := uint64(1); v < 1<<62; v = v*3/2 + 1 {
		mid := bucketMid(bucketOf(v))
		if !near(time.Duration(mid), time.Duration(v)) {
			t.Fatalf("value %d: want its bucket's middle within 1/64, have %d", v, mid)
		}
		if bucketOf(mid) != bucketOf(v) {
			t.Fatalf("value %d: the middle %d of its bucket %d lies in bucket %d", v, mid, bucketOf(v), bucketOf(mid))
		}
	}
	if have := bucketOf(^uint64(0)); have != nBuckets-1 {
		t.Errorf("the largest value: want the last bucket %d, have %d", nBuckets-1, have)
	}
}

func TestHistogram_Merge(t *testing.T) {
	var a, b Histogram
	for i := 1; i <= 100; i++ {
		a.Record(time.Duration(i) * time.Millisecond)
		b.Record(time.Duration(100+i) * time.Millisecond)
	}
	a.Merge(&b)
	if want, have := uint64(200), a.Count(); want != have {
		t.Errorf("count: want %d, have %d", want, have)
	}
	if want, have := 200*time.Millisecond, a.Max(); want != have {
		t.Errorf("max: want %v, have %v", want, have)
	}
	if want, have := 100*time.Millisecond, a.Quantile(0.5); !near(have, want) {
		t.Errorf("p50: want %v, have %v", want, have)
	}
}
