package trace

import (
	"bytes"
	"encoding/json"
	"errors"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestRecord_RoundTripsEveryKind(t *testing.T) {
	samples := samples()
	for _, kind := range Kinds() {
		if _, ok := samples[kind]; !ok {
			t.Errorf("kind %s has no sample: add one to samples()", kind)
		}
	}
	for kind, e := range samples {
		t.Run(kind, func(t *testing.T) {
			if e.Kind() != kind {
				t.Fatalf("want sample of kind %s, have %s", kind, e.Kind())
			}
			want := Record{Seq: 42, Event: e}
			data, err := json.Marshal(want)
			if err != nil {
				t.Fatal(err)
			}
			var have Record
			if err := json.Unmarshal(data, &have); err != nil {
				t.Fatalf("decoding %s: %v", data, err)
			}
			if !reflect.DeepEqual(want, have) {
				t.Errorf("want %+v, have %+v", want, have)
			}
		})
	}
}

func TestRecord_JSONShape(t *testing.T) {
	data, err := json.Marshal(Record{Seq: 7, Event: finish(3)})
	if err != nil {
		t.Fatal(err)
	}
	var shape map[string]json.RawMessage
	if err := json.Unmarshal(data, &shape); err != nil {
		t.Fatal(err)
	}
	if want, have := []string{"event", "kind", "seq"}, slices.Sorted(maps.Keys(shape)); !slices.Equal(want, have) {
		t.Errorf("want fields %v, have %v", want, have)
	}
	if want, have := `"paxos.finish"`, string(shape["kind"]); want != have {
		t.Errorf("want kind %s, have %s", want, have)
	}
}

func TestRecord_MarshalRefusesNoEvent(t *testing.T) {
	if _, err := json.Marshal(Record{Seq: 3}); err == nil {
		t.Error("want an error for a record without an event, have nil")
	}
}

func TestDecode_ReadsRecorderOutput(t *testing.T) {
	var buf bytes.Buffer
	want := story()
	enc := json.NewEncoder(&buf)
	for _, r := range want {
		if err := enc.Encode(r); err != nil {
			t.Fatal(err)
		}
	}
	var have []Record
	for r, err := range Decode(&buf) {
		if err != nil {
			t.Fatal(err)
		}
		have = append(have, r)
	}
	if !reflect.DeepEqual(want, have) {
		t.Errorf("want %d records back as written, have %d:\n%v", len(want), len(have), have)
	}
}

func TestDecode_Errors(t *testing.T) {
	good := `{"seq":1,"kind":"paxos.finish","event":{"proposer":"p1.0","change":1,"committed":true}}`
	tests := map[string]struct {
		line    string
		want    string
		unknown bool
	}{
		"not json":      {`{"seq":`, `trace: line 2: not a trace record: `, false},
		"unknown kind":  {`{"seq":2,"kind":"paxos.nope","event":{}}`, `trace: line 2: unknown event kind "paxos.nope" (known: `, true},
		"no kind":       {`{"seq":2,"event":{}}`, `trace: line 2: the record has no "kind"`, false},
		"no event":      {`{"seq":2,"kind":"paxos.finish"}`, `trace: line 2: the paxos.finish record has no "event"`, false},
		"bad field":     {`{"seq":2,"kind":"paxos.finish","event":{"committed":"yes"}}`, `trace: line 2: bad paxos.finish event: `, false},
		"bad seq":       {`{"seq":-1,"kind":"paxos.finish","event":{}}`, `trace: line 2: not a trace record: `, false},
		"array":         {`[1,2]`, `trace: line 2: not a trace record: `, false},
		"trailing junk": {good + ` x`, `trace: line 2: not a trace record: `, false},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			in := good + "\n" + tt.line + "\n\n" + good + "\n"
			var records int
			var errs []error
			for r, err := range Decode(strings.NewReader(in)) {
				if err != nil {
					errs = append(errs, err)
					continue
				}
				if r.Seq != 1 {
					t.Errorf("want seq 1, have %d", r.Seq)
				}
				records++
			}
			if records != 2 {
				t.Errorf("want the 2 good records, have %d", records)
			}
			if len(errs) != 1 {
				t.Fatalf("want 1 error, have %v", errs)
			}
			if have := errs[0].Error(); !strings.HasPrefix(have, tt.want) {
				t.Errorf("want an error starting %q, have %q", tt.want, have)
			}
			var de *DecodeError
			if !errors.As(errs[0], &de) || de.Line != 2 {
				t.Errorf("want a *DecodeError on line 2, have %#v", errs[0])
			}
			if have := errors.Is(errs[0], ErrUnknownKind); have != tt.unknown {
				t.Errorf("want errors.Is(err, ErrUnknownKind) %v, have %v", tt.unknown, have)
			}
		})
	}
}

func TestDecode_LastLineWithoutNewline(t *testing.T) {
	in := `{"seq":9,"kind":"paxos.finish","event":{}}`
	n := 0
	for r, err := range Decode(strings.NewReader(in)) {
		if err != nil || r.Seq != 9 {
			t.Errorf("want record 9, have %v, %v", r, err)
		}
		n++
	}
	if n != 1 {
		t.Errorf("want 1 record, have %d", n)
	}
}

func TestDecode_ReadError(t *testing.T) {
	r := errReader{err: errors.New("disk on fire")}
	var errs []error
	for _, err := range Decode(r) {
		errs = append(errs, err)
	}
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "disk on fire") {
		t.Errorf("want the read error, have %v", errs)
	}
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

func TestDecode_StopsWhenTheLoopBreaks(t *testing.T) {
	in := strings.Repeat(`{"seq":1,"kind":"paxos.finish","event":{}}`+"\n", 3)
	n := 0
	for range Decode(strings.NewReader(in)) {
		n++
		break
	}
	if n != 1 {
		t.Errorf("want 1 iteration, have %d", n)
	}
}

func FuzzDecode(f *testing.F) {
	for _, r := range story() {
		data, err := json.Marshal(r)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, e := range samples() {
		data, err := json.Marshal(Record{Seq: 1, Event: e})
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"seq":1,"kind":"paxos.nope","event":{}}` + "\n\n{"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for r, err := range Decode(bytes.NewReader(data)) {
			if err != nil {
				var de *DecodeError
				if !errors.As(err, &de) || de.Line < 1 {
					t.Fatalf("want a *DecodeError with a line, have %v", err)
				}
				continue
			}
			// A decoded record must encode, and decode again to itself.
			once, err := json.Marshal(r)
			if err != nil {
				t.Fatalf("decoded %+v but cannot encode it: %v", r, err)
			}
			var again Record
			if err := json.Unmarshal(once, &again); err != nil {
				t.Fatalf("cannot decode %s: %v", once, err)
			}
			twice, err := json.Marshal(again)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(once, twice) {
				t.Fatalf("want a stable encoding, have\n%s\n%s", once, twice)
			}
		}
	})
}
