package kv

import (
	"bytes"
	"errors"
	"math"
	"math/rand"
	"reflect"
	"testing"
	"testing/quick"
)

// randomValue builds a JSON-like value of the types an Entry holds, nested
// at most depth levels.
func randomValue(r *rand.Rand, depth int) any {
	kind := r.Intn(7)
	if depth <= 0 {
		kind %= 4
	}
	switch kind {
	case 0:
		return randomString(r)
	case 1:
		return r.Int63() - r.Int63()
	case 2:
		return (r.Float64() - 0.5) * math.Pow(10, float64(r.Intn(40)-20))
	case 3:
		return r.Intn(2) == 0
	case 4, 5:
		a := make([]any, r.Intn(4))
		for i := range a {
			a[i] = randomValue(r, depth-1)
		}
		return a
	}
	m := map[string]any{}
	for range r.Intn(4) {
		m[randomString(r)] = randomValue(r, depth-1)
	}
	return m
}

func randomString(r *rand.Rand) string {
	const alphabet = "ab\"\\\n\x00é{}:,🙂"
	runes := []rune(alphabet)
	out := make([]rune, r.Intn(8))
	for i := range out {
		out[i] = runes[r.Intn(len(runes))]
	}
	return string(out)
}

// randomEntry implements quick.Generator.
type randomEntry struct{ Entry }

func (randomEntry) Generate(r *rand.Rand, _ int) reflect.Value {
	e := Entry{Version: uint64(r.Int63()) + 1}
	if r.Intn(5) == 0 {
		e.Deleted = true
	} else {
		v, err := Normalize(randomValue(r, 3))
		if err != nil {
			panic(err)
		}
		e.Value = v
	}
	return reflect.ValueOf(randomEntry{e})
}

func TestEncode_RoundTrip(t *testing.T) {
	roundTrip := func(re randomEntry) bool {
		b, err := Encode(re.Entry)
		if err != nil {
			t.Logf("encode %v: %v", re.Entry, err)
			return false
		}
		have, err := Decode(b)
		if err != nil || !reflect.DeepEqual(re.Entry, have) {
			t.Logf("want %#v, have %#v (%v) from %s", re.Entry, have, err, b)
			return false
		}
		return true
	}
	if err := quick.Check(roundTrip, &quick.Config{MaxCount: 2000}); err != nil {
		t.Error(err)
	}
}

func TestNormalize_Idempotent(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	for range 2000 {
		once, err := Normalize(randomValue(r, 3))
		if err != nil {
			t.Fatal(err)
		}
		twice, err := Normalize(once)
		if err != nil || !reflect.DeepEqual(once, twice) {
			t.Fatalf("want %#v, have %#v (%v)", once, twice, err)
		}
	}
}

func TestDecode_States(t *testing.T) {
	tests := map[string]struct {
		state string
		want  Entry
		err   error
	}{
		"absent":       {state: "", want: Entry{}},
		"integer":      {state: `{"version":3,"value":42}`, want: Entry{Version: 3, Value: int64(42)}},
		"float":        {state: `{"version":1,"value":1.5}`, want: Entry{Version: 1, Value: 1.5}},
		"exponent":     {state: `{"version":1,"value":1e3}`, want: Entry{Version: 1, Value: int64(1000)}},
		"tombstone":    {state: `{"version":4,"deleted":true}`, want: Entry{Version: 4, Deleted: true}},
		"not json":     {state: "hello", err: ErrCorrupt},
		"no version":   {state: `{"value":1}`, err: ErrCorrupt},
		"no value":     {state: `{"version":1}`, err: ErrCorrupt},
		"null value":   {state: `{"version":1,"value":null}`, err: ErrCorrupt},
		"both":         {state: `{"version":1,"value":1,"deleted":true}`, err: ErrCorrupt},
		"extra field":  {state: `{"version":1,"value":1,"ttl":5}`, err: ErrCorrupt},
		"trailing":     {state: `{"version":1,"value":1} {}`, err: ErrCorrupt},
		"neg version":  {state: `{"version":-1,"value":1}`, err: ErrCorrupt},
		"array at top": {state: `[1]`, err: ErrCorrupt},
		"stray brace":  {state: `{"version":1,"value":1} }`, err: ErrCorrupt},
		"value brace":  {state: `{"version":1,"value":1}}`, err: ErrCorrupt},
		"zero padded":  {state: `{"version":01,"value":1}`, err: ErrCorrupt},
		"spaced":       {state: `{ "value": "a", "version": 2 }`, want: Entry{Version: 2, Value: "a"}},
		"object value": {state: `{"version":1,"value":{"a":[1,"}"]}}`, want: Entry{Version: 1, Value: map[string]any{"a": []any{int64(1), "}"}}}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			have, err := Decode([]byte(tt.state))
			if !errors.Is(err, tt.err) || tt.err == nil && err != nil {
				t.Fatalf("want error %v, have %v", tt.err, err)
			}
			if !reflect.DeepEqual(tt.want, have) {
				t.Errorf("want %#v, have %#v", tt.want, have)
			}
		})
	}
}

func TestParseValue_JSONOrString(t *testing.T) {
	tests := map[string]any{
		"42":                   int64(42),
		"-1.5":                 -1.5,
		"true":                 true,
		`"42"`:                 "42",
		"hello":                "hello",
		"null":                 "null",
		"[1,2]":                []any{int64(1), int64(2)},
		`{"a":1}`:              map[string]any{"a": int64(1)},
		"1 2":                  "1 2",
		"":                     "",
		"{broken":              "{broken",
		"1e2":                  int64(100),
		"1}":                   "1}",
		"+1":                   "+1",
		"01":                   "01",
		"-0":                   int64(0),
		`"a\u00e9"`:            "aé",
		"99999999999999999999": 1e20,
	}
	for text, want := range tests {
		t.Run(text, func(t *testing.T) {
			if have := ParseValue(text); !reflect.DeepEqual(want, have) {
				t.Errorf("want %#v, have %#v", want, have)
			}
		})
	}
}

func FuzzDecode(f *testing.F) {
	for _, s := range []string{"", `{"version":3,"value":42}`, `{"version":4,"deleted":true}`,
		`{"version":1,"value":{"a":[1,"b",null,1.5e300]}}`, "hello"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, state []byte) {
		e, err := Decode(state)
		if fast, ok := decodeCanonical(state); ok {
			strict, err := decodeStrict(state)
			if err != nil || !reflect.DeepEqual(fast, strict) {
				t.Fatalf("%q: the fast path reads %#v, the strict one %#v (%v)", state, fast, strict, err)
			}
		}
		if err != nil {
			return
		}
		b, err := Encode(e)
		if err != nil {
			t.Fatalf("decoded %q to %#v, which does not encode: %v", state, e, err)
		}
		again, err := Decode(b)
		if err != nil || !reflect.DeepEqual(e, again) {
			t.Fatalf("want %#v, have %#v (%v)", e, again, err)
		}
		if b2, _ := Encode(again); !bytes.Equal(b, b2) {
			t.Fatalf("encoding is not stable: %s then %s", b, b2)
		}
	})
}
