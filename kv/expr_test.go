package kv

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestExpr_Eval(t *testing.T) {
	tests := map[string]struct {
		src  string
		x    any
		want any
	}{
		"increment absent":   {src: "x == nil ? 1 : x + 1", x: nil, want: int64(1)},
		"increment":          {src: "x == nil ? 1 : x + 1", x: int64(41), want: int64(42)},
		"append to string":   {src: `x + "!"`, x: "hi", want: "hi!"},
		"string of number":   {src: `"n=" + string(x)`, x: int64(7), want: "n=7"},
		"float stays float":  {src: "x * 1.5", x: int64(3), want: 4.5},
		"whole float is int": {src: "x * 2.0", x: int64(3), want: int64(6)},
		"bool":               {src: "!x", x: true, want: false},
		"array":              {src: "map(x, # * 2)", x: []any{int64(1), int64(2)}, want: []any{int64(2), int64(4)}},
		"object":             {src: `{"n": x.n + 1}`, x: map[string]any{"n": int64(1)}, want: map[string]any{"n": int64(2)}},
		"nil deletes":        {src: "nil", x: int64(1), want: nil},
		"builtins":           {src: "upper(x) + string(len(x))", x: "ab", want: "AB2"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			e, err := CompileExpr(tt.src, DefaultExprLimits)
			if err != nil {
				t.Fatalf("compile %q: %v", tt.src, err)
			}
			have, err := e.Eval(tt.x)
			if err != nil {
				t.Fatalf("eval %q: %v", tt.src, err)
			}
			if !reflect.DeepEqual(tt.want, have) {
				t.Errorf("want %#v, have %#v", tt.want, have)
			}
		})
	}
}

func TestCompileExpr_Refuses(t *testing.T) {
	tests := map[string]struct {
		src  string
		want string
	}{
		"syntax":           {src: "x +", want: "unexpected token"},
		"unknown variable": {src: "y + 1", want: "unknown name y"},
		"go package":       {src: `os.Getenv("HOME")`, want: "unknown name os"},
		"exec":             {src: `exec("rm -rf /")`, want: "unknown name exec"},
		"clock":            {src: "now()", want: "unknown name now"},
		"repeat":           {src: `repeat("a", 1000000)`, want: "unknown name repeat"},
		"replace":          {src: `replace(x, "a", "bb")`, want: "unknown name replace"},
		"too large":        {src: strings.Repeat("1 + ", 300) + "1", want: "exceeds maximum allowed nodes"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := CompileExpr(tt.src, DefaultExprLimits)
			if !errors.Is(err, ErrBadExpression) {
				t.Fatalf("want ErrBadExpression, have %v", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("want %q in the message, have %q", tt.want, err)
			}
		})
	}
}

func TestExpr_EvalLimits(t *testing.T) {
	small := DefaultExprLimits
	small.MaxValueSize = 1000
	tests := map[string]struct {
		src  string
		x    any
		lim  ExprLimits
		want string
	}{
		"string doubling": {
			src: `let a = x + x; let b = a + a; let c = b + b; let d = c + c; d + d`,
			x:   strings.Repeat("a", 100), lim: small, want: "longer than 1000 bytes",
		},
		"result size":  {src: "map(1..100, x)", x: strings.Repeat("a", 100), lim: small, want: "larger than 1000 bytes"},
		"memory":       {src: "map(1..1000000, #)", lim: DefaultExprLimits, want: "memory budget exceeded"},
		"string of []": {src: "string([x])", x: int64(1), lim: DefaultExprLimits, want: "not []interface {}"},
		"type error":   {src: "x + 1", x: "a", lim: DefaultExprLimits, want: "invalid operation"},
		"NaN":          {src: "0.0 / 0.0", lim: DefaultExprLimits, want: "not a JSON number"},
		"time": {
			src:  "reduce(1..90000, #acc + len(string(#)), 0)",
			lim:  ExprLimits{MaxNodes: 100, MemoryBudget: 1e6, MaxValueSize: 1000, Timeout: time.Nanosecond},
			want: "ran longer than 1ns",
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			e, err := CompileExpr(tt.src, tt.lim)
			if err != nil {
				t.Fatalf("compile %q: %v", tt.src, err)
			}
			_, err = e.Eval(tt.x)
			if !errors.Is(err, ErrExpressionFailed) {
				t.Fatalf("want ErrExpressionFailed, have %v", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("want %q in the message, have %q", tt.want, err)
			}
		})
	}
}
