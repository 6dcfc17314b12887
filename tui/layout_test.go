package tui

import "testing"

func TestLayout_Compute(t *testing.T) {
	tests := map[string]struct {
		w, h, rows int
		want       layout
	}{
		"too narrow": {w: 39, h: 24, rows: 5, want: layout{TooSmall: true}},
		"too short":  {w: 80, h: 11, rows: 5, want: layout{TooSmall: true}},
		"80x24 three nodes": {w: 80, h: 24, rows: 5, want: layout{
			Cluster: size{78, 5}, Main: size{78, 12}}},
		"80x24 many nodes is capped at half": {w: 80, h: 24, rows: 20, want: layout{
			Cluster: size{78, 8}, Main: size{78, 9}}},
		"119x48 stays narrow": {w: 119, h: 48, rows: 5, want: layout{
			Cluster: size{117, 5}, Main: size{117, 36}}},
		"160x48 is wide": {w: 160, h: 48, rows: 5, want: layout{Wide: true,
			Cluster: size{62, 5}, Load: size{62, 24}, Main: size{94, 31}, Log: size{158, 10}}},
		"300x80 caps the columns": {w: 300, h: 80, rows: 9, want: layout{Wide: true,
			Cluster: size{70, 9}, Load: size{70, 50}, Main: size{226, 61}, Log: size{298, 12}}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			have := computeLayout(tc.w, tc.h, tc.rows, 2, 2)
			if have != tc.want {
				t.Errorf("want %+v, have %+v", tc.want, have)
			}
		})
	}
}

func TestLayout_FillsTheScreen(t *testing.T) {
	for w := minWidth; w <= 260; w += 7 {
		for h := minHeight; h <= 90; h += 5 {
			l := computeLayout(w, h, 6, 2, 2)
			used := l.Cluster.H + l.Main.H + 4
			if l.Wide {
				used = max(l.Cluster.H+l.Load.H+4, l.Main.H+2) + l.Log.H + 2
			}
			if used != h-chromeLines {
				t.Fatalf("%dx%d: want %d lines used, have %d (%+v)", w, h, h-chromeLines, used, l)
			}
		}
	}
}
