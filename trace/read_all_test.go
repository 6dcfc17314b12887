package trace

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"testing"
)

func TestReadAll_KeepsWhatDecodes(t *testing.T) {
	var buf bytes.Buffer
	for _, r := range story()[:3] {
		line, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		buf.Write(append(line, '\n'))
	}
	buf.WriteString("{not json\n")
	line, _ := json.Marshal(story()[3])
	buf.Write(line[:len(line)/2]) // cut off mid-record, as a crash would leave it
	records, problems := ReadAll(&buf)
	if want, have := 3, len(records); have != want {
		t.Errorf("want %d records, have %d", want, have)
	}
	var lines []int
	for _, p := range problems {
		var de *DecodeError
		if !errors.As(p, &de) {
			t.Fatalf("want a DecodeError, have %v", p)
		}
		lines = append(lines, de.Line)
	}
	if want := []int{4, 5}; !slices.Equal(lines, want) {
		t.Errorf("want problems on lines %v, have %v", want, lines)
	}
}
