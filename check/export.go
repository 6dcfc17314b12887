package check

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sync/atomic"
	"time"

	"github.com/anishathalye/porcupine"
)

// historyInput is an Input as the history file writes it.
type historyInput struct {
	Kind    string `json:"kind"`
	Key     string `json:"key"`
	Value   int64  `json:"value,omitempty"`
	Version uint64 `json:"version,omitempty"`
}

// historyOutput is an Output as the history file writes it.
type historyOutput struct {
	Outcome   string `json:"outcome"`
	Exists    bool   `json:"exists,omitempty"`
	Value     int64  `json:"value,omitempty"`
	Version   uint64 `json:"version,omitempty"`
	Versioned bool   `json:"versioned,omitempty"`
}

// WriteHistory writes history as JSON in porcupine's form: an object
// with one array per key, sorted by key, of porcupine.Operation records
// ({"ClientId", "Input", "Call", "Output", "Return"}), in the order they
// were invoked. Inputs and outputs are written with their kinds and
// outcomes in words ("incr", "unknown"); times are nanoseconds on the
// recorder's clock, and an operation of unknown outcome returns when the
// history ends.
func WriteHistory(w io.Writer, history []Op) error {
	byKey := map[string][]porcupine.Operation{}
	for _, op := range history {
		in, out := op.Input, op.Output
		byKey[in.Key] = append(byKey[in.Key], porcupine.Operation{
			ClientId: op.Client,
			Input:    historyInput{Kind: in.Kind.String(), Key: in.Key, Value: in.Value, Version: in.Version},
			Call:     op.Call,
			Output: historyOutput{Outcome: out.Outcome.String(), Exists: out.Exists, Value: out.Value,
				Version: out.Version, Versioned: out.Versioned},
			Return: op.Return,
		})
	}
	for _, ops := range byKey {
		slices.SortStableFunc(ops, func(a, b porcupine.Operation) int { return cmp.Compare(a.Call, b.Call) })
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	if err := enc.Encode(byKey); err != nil {
		return fmt.Errorf("check: writing the history: %w", err)
	}
	return nil
}

// VisualizeHistory writes porcupine's HTML view of every key of history,
// linearizable or not, with windows marked on a track of their own. It
// gives up after timeout.
func VisualizeHistory(w io.Writer, history []Op, windows []Window, timeout time.Duration) error {
	byKey := map[string][]Op{}
	var keys []string
	for _, op := range history {
		if _, ok := byKey[op.Input.Key]; !ok {
			keys = append(keys, op.Input.Key)
		}
		byKey[op.Input.Key] = append(byKey[op.Input.Key], op)
	}
	slices.Sort(keys)
	var ops []porcupine.Operation
	for _, k := range keys {
		prepared, _ := prepare(byKey[k])
		ops = append(ops, prepared...)
	}
	model := newModel(&atomic.Bool{})
	_, info := porcupine.CheckOperationsVerbose(model, ops, timeout)
	notes := make([]porcupine.Annotation, 0, len(windows))
	for _, win := range windows {
		notes = append(notes, porcupine.Annotation{Tag: "faults", Start: win.Start, End: win.End,
			Description: win.Label, BackgroundColor: "#f6d5d5"})
	}
	info.AddAnnotations(notes)
	if err := porcupine.Visualize(model, info, w); err != nil {
		return fmt.Errorf("check: writing the visualization: %w", err)
	}
	return nil
}
