package check

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// op builds an operation of client 0 on key "k" from call to ret.
func op(call, ret int64, in Input, out Output) Op {
	in.Key = "k"
	return Op{Input: in, Output: out, Call: call, Return: ret}
}

var (
	ok = func(v int64, ver uint64) Output {
		return Output{Outcome: OutcomeOK, Exists: true, Value: v, Version: ver}
	}
	unknown = Output{Outcome: OutcomeUnknown}
	missing = Output{Outcome: OutcomeOK}
)

func TestCheck_Verdicts(t *testing.T) {
	const end = 1000
	tests := map[string]struct {
		history []Op
		want    Verdict
	}{
		"sequential writes and reads": {[]Op{
			op(1, 2, Input{Kind: OpSet, Value: 7}, ok(7, 1)),
			op(3, 4, Input{Kind: OpIncr}, ok(8, 2)),
			op(5, 6, Input{Kind: OpGet}, ok(8, 2)),
		}, Linearizable},
		"stale read": {[]Op{
			op(1, 2, Input{Kind: OpSet, Value: 7}, ok(7, 1)),
			op(3, 4, Input{Kind: OpSet, Value: 9}, ok(9, 2)),
			op(5, 6, Input{Kind: OpGet}, ok(7, 1)),
		}, Violation},
		"lost increment": {[]Op{
			op(1, 2, Input{Kind: OpIncr}, ok(1, 0)),
			op(3, 4, Input{Kind: OpIncr}, ok(2, 0)),
			op(5, 6, Input{Kind: OpIncr}, ok(2, 0)),
		}, Violation},
		"concurrent increments in either order": {[]Op{
			op(1, 5, Input{Kind: OpIncr}, ok(2, 0)),
			op(2, 6, Input{Kind: OpIncr}, ok(1, 0)),
		}, Linearizable},
		"unknown write seen later": {[]Op{
			op(1, end, Input{Kind: OpSet, Value: 5}, unknown),
			op(3, 4, Input{Kind: OpGet}, missing),
			op(5, 6, Input{Kind: OpGet}, ok(5, 1)),
		}, Linearizable},
		"unknown write never seen": {[]Op{
			op(1, end, Input{Kind: OpSet, Value: 5}, unknown),
			op(3, 4, Input{Kind: OpSet, Value: 6}, ok(6, 0)),
			op(5, 6, Input{Kind: OpGet}, ok(6, 0)),
		}, Linearizable},
		"failed write seen later": {[]Op{
			op(1, 2, Input{Kind: OpSet, Value: 5}, Output{Outcome: OutcomeFailed}),
			op(3, 4, Input{Kind: OpGet}, ok(5, 1)),
		}, Violation},
		"value reappears after unknown write was overwritten": {[]Op{
			op(1, end, Input{Kind: OpSet, Value: 5}, unknown),
			op(2, 3, Input{Kind: OpGet}, ok(5, 1)),
			op(4, 5, Input{Kind: OpSet, Value: 6}, ok(6, 2)),
			op(6, 7, Input{Kind: OpGet}, ok(5, 0)),
		}, Violation},
		"cas on the right version": {[]Op{
			op(1, 2, Input{Kind: OpSet, Value: 1}, ok(1, 1)),
			op(3, 4, Input{Kind: OpCAS, Version: 1, Value: 2}, ok(2, 2)),
			op(5, 6, Input{Kind: OpCAS, Version: 1, Value: 3}, Output{Outcome: OutcomeRefused}),
		}, Linearizable},
		"cas refused on the right version": {[]Op{
			op(1, 2, Input{Kind: OpSet, Value: 1}, ok(1, 1)),
			op(3, 4, Input{Kind: OpCAS, Version: 1, Value: 3}, Output{Outcome: OutcomeRefused}),
		}, Violation},
		"read of a missing key with a version": {[]Op{
			op(1, 2, Input{Kind: OpSet, Value: 1}, ok(1, 1)),
			op(3, 4, Input{Kind: OpDelete}, Output{Outcome: OutcomeOK, Version: 2, Versioned: true}),
			op(5, 6, Input{Kind: OpGet}, Output{Outcome: OutcomeOK, Version: 0, Versioned: true}),
		}, Violation},
		"delete then read": {[]Op{
			op(1, 2, Input{Kind: OpSet, Value: 1}, ok(1, 1)),
			op(3, 4, Input{Kind: OpDelete}, Output{Outcome: OutcomeOK}),
			op(5, 6, Input{Kind: OpGet}, Output{Outcome: OutcomeOK, Version: 2, Versioned: true}),
			op(7, 8, Input{Kind: OpIncr}, ok(1, 3)),
		}, Linearizable},
		"delete of a missing key refused": {[]Op{
			op(1, 2, Input{Kind: OpDelete}, Output{Outcome: OutcomeRefused, Versioned: true}),
			op(3, 4, Input{Kind: OpSet, Value: 1}, ok(1, 1)),
			op(5, 6, Input{Kind: OpDelete}, Output{Outcome: OutcomeOK, Version: 2, Versioned: true}),
		}, Linearizable},
		"delete of a live key refused": {[]Op{
			op(1, 2, Input{Kind: OpSet, Value: 1}, ok(1, 1)),
			op(3, 4, Input{Kind: OpDelete}, Output{Outcome: OutcomeRefused}),
		}, Violation},
		"unknown cas whose value increments also reach": {[]Op{ // a false violation once
			op(1, 2, Input{Kind: OpIncr}, Output{Outcome: OutcomeOK, Exists: true, Value: 1, Version: 1, Versioned: true}),
			op(3, end, Input{Kind: OpCAS, Version: 999999, Value: 1}, unknown),
		}, Linearizable},
		"lost increment while an unknown set may have given the value read": {[]Op{
			op(1, end, Input{Kind: OpSet, Value: 1}, unknown),
			op(2, 3, Input{Kind: OpIncr}, Output{Outcome: OutcomeOK, Exists: true, Value: 1, Version: 1, Versioned: true}),
			op(4, 5, Input{Kind: OpIncr}, Output{Outcome: OutcomeOK, Exists: true, Value: 1, Version: 1, Versioned: true}),
		}, Violation},
		"cas refusal reports a stale version": {[]Op{
			op(1, 2, Input{Kind: OpSet, Value: 1}, ok(1, 1)),
			op(3, 4, Input{Kind: OpSet, Value: 2}, ok(2, 2)),
			op(5, 6, Input{Kind: OpCAS, Version: 3, Value: 3}, Output{Outcome: OutcomeRefused, Version: 1, Versioned: true}),
		}, Violation},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			res := Check(tc.history, 10*time.Second)
			if res.Verdict != tc.want {
				t.Errorf("want %s, have %s", tc.want, res.Verdict)
			}
		})
	}
}

func TestCheck_CountsAndSkipsFailed(t *testing.T) {
	res := Check([]Op{
		op(1, 2, Input{Kind: OpSet, Value: 5}, Output{Outcome: OutcomeFailed}),
		op(3, 100, Input{Kind: OpIncr}, unknown),
		op(4, 5, Input{Kind: OpGet}, missing),
	}, 0)
	if res.Ops != 2 || res.Unknown != 1 || res.Keys != 1 {
		t.Errorf("want 2 ops, 1 unknown, 1 key; have %d ops, %d unknown, %d keys", res.Ops, res.Unknown, res.Keys)
	}
	if want, have := 0.5, res.UnknownShare(); want != have {
		t.Errorf("unknown share: want %v, have %v", want, have)
	}
}

func TestResult_VisualizeMarksViolation(t *testing.T) {
	res := Check([]Op{
		op(1, 2, Input{Kind: OpSet, Value: 7}, ok(7, 1)),
		op(3, 4, Input{Kind: OpGet}, missing),
	}, 0)
	if res.Verdict != Violation || len(res.Bad) != 1 || res.Bad[0] != "k" {
		t.Fatalf("want a violation on k, have %s on %v", res.Verdict, res.Bad)
	}
	var buf bytes.Buffer
	if err := res.Visualize(&buf, []Window{{Start: 1, End: 3, Label: "kill a1"}}, time.Second); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<html", "kill a1", "set k 7"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("visualization lacks %q", want)
		}
	}
}

func TestResult_VisualizeNeedsViolation(t *testing.T) {
	res := Check([]Op{op(1, 2, Input{Kind: OpGet}, missing)}, 0)
	if err := res.Visualize(&bytes.Buffer{}, nil, time.Second); err == nil {
		t.Error("want an error without a violation, have nil")
	}
}
