package check

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// sampleHistory is two clients on two keys: a set, an increment, a read,
// a refused compare-and-set and an increment of unknown outcome.
func sampleHistory() []Op {
	return []Op{
		{Client: 0, Input: Input{Kind: OpSet, Key: "a", Value: 10}, Call: 1, Return: 2,
			Output: Output{Outcome: OutcomeOK, Exists: true, Value: 10, Version: 1, Versioned: true}},
		{Client: 1, Input: Input{Kind: OpIncr, Key: "b"}, Call: 3, Return: 5,
			Output: Output{Outcome: OutcomeOK, Exists: true, Value: 1, Version: 1, Versioned: true}},
		{Client: 0, Input: Input{Kind: OpGet, Key: "a"}, Call: 4, Return: 6,
			Output: Output{Outcome: OutcomeOK, Exists: true, Value: 10, Version: 1, Versioned: true}},
		{Client: 1, Input: Input{Kind: OpCAS, Key: "a", Value: 20, Version: 7}, Call: 7, Return: 8,
			Output: Output{Outcome: OutcomeRefused, Version: 1, Versioned: true}},
		{Client: 0, Input: Input{Kind: OpIncr, Key: "b"}, Call: 9, Return: 20,
			Output: Output{Outcome: OutcomeUnknown}},
	}
}

func TestWriteHistory_PorcupineOperationsPerKey(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteHistory(&buf, sampleHistory()); err != nil {
		t.Fatal(err)
	}
	type op struct {
		ClientId int
		Input    historyInput
		Call     int64
		Output   historyOutput
		Return   int64
	}
	var have map[string][]op
	if err := json.Unmarshal(buf.Bytes(), &have); err != nil {
		t.Fatalf("want JSON, have %v:\n%s", err, buf.String())
	}
	if want := 2; len(have) != want || len(have["a"]) != 3 || len(have["b"]) != 2 {
		t.Fatalf("want 3 operations on a and 2 on b, have %+v", have)
	}
	want := op{ClientId: 1, Input: historyInput{Kind: "cas", Key: "a", Value: 20, Version: 7}, Call: 7,
		Output: historyOutput{Outcome: "refused", Version: 1, Versioned: true}, Return: 8}
	if have["a"][2] != want {
		t.Errorf("want %+v, have %+v", want, have["a"][2])
	}
	if o := have["b"][1].Output.Outcome; o != "unknown" {
		t.Errorf("want the lost increment unknown, have %q", o)
	}
}

func TestVisualizeHistory_DrawsALinearizableHistory(t *testing.T) {
	var buf bytes.Buffer
	windows := []Window{{Start: 3, End: 9, Label: "kill a2"}}
	if err := VisualizeHistory(&buf, sampleHistory(), windows, time.Second); err != nil {
		t.Fatal(err)
	}
	html := buf.String()
	for _, want := range []string{"<html", "set a 10", "kill a2"} {
		if !strings.Contains(html, want) {
			t.Errorf("want the page to contain %q", want)
		}
	}
}
