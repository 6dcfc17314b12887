package kv

import (
	"context"
	"testing"
)

func BenchmarkStore_Incr(b *testing.B) {
	for name, oneRTT := range map[string]bool{"1rtt": true, "2rtt": false} {
		b.Run(name, func(b *testing.B) {
			s := New(newProposer(b, "p1", oneRTT, memAcceptors(3)...))
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.Incr(ctx, "k", 1); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkExpr_Eval(b *testing.B) {
	e, err := CompileExpr("x == nil ? 1 : x + 1", DefaultExprLimits)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Eval(int64(41)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEntry_EncodeDecode(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		state, err := Encode(Entry{Version: 7, Value: int64(42)})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Decode(state); err != nil {
			b.Fatal(err)
		}
	}
}
