package demos

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/gryadka/gryadka/paxos"
)

// script wraps statements in a demo with one step; they start at line 3.
func script(lines ...string) string {
	return "demo t \"Test\"\nstep \"one\"\n" + strings.Join(lines, "\n")
}

func TestParse_Statements(t *testing.T) {
	tests := map[string]struct {
		line string
		want Stmt
	}{
		"say":                {`say p1 sends prepare`, Stmt{Kind: KindSay, Text: "p1 sends prepare"}},
		"empty say":          {`say`, Stmt{Kind: KindSay}},
		"do":                 {`do set k 1`, Stmt{Kind: KindDo, Text: "set k 1"}},
		"do by a proposer":   {`do p2: kill a2`, Stmt{Kind: KindDo, Text: "kill a2", Proposer: "p2"}},
		"start":              {`start p1: incr k`, Stmt{Kind: KindStart, Text: "incr k", Proposer: "p1"}},
		"wait":               {`wait`, Stmt{Kind: KindWait}},
		"hold":               {`hold accept to a1`, Stmt{Kind: KindHold, Pattern: Pattern{Phase: paxos.PhaseAccept, Acceptor: "a1"}}},
		"hold replies":       {`hold prepare replies from a2 by p1`, Stmt{Kind: KindHold, Pattern: Pattern{Phase: paxos.PhasePrepare, Replies: true, Acceptor: "a2", Proposer: "p1"}}},
		"release all":        {`release all by p2`, Stmt{Kind: KindRelease, Pattern: Pattern{Proposer: "p2"}}},
		"deliver":            {`deliver accept replies`, Stmt{Kind: KindDeliver, Pattern: Pattern{Phase: paxos.PhaseAccept, Replies: true}}},
		"drop":               {`drop prepare to a3`, Stmt{Kind: KindDrop, Pattern: Pattern{Phase: paxos.PhasePrepare, Acceptor: "a3"}}},
		"expect value":       {`expect value k = "hello world"`, Stmt{Kind: KindExpect, Check: Check{Kind: CheckValue, Subject: "k", Want: `"hello world"`}}},
		"expect node":        {`expect node a2 down`, Stmt{Kind: KindExpect, Check: Check{Kind: CheckNode, Subject: "a2", Want: "down"}}},
		"expect last change": {`expect last change unknown`, Stmt{Kind: KindExpect, Check: Check{Kind: CheckLastChange, Want: "unknown"}}},
		"expect round trips": {`expect round trips 1`, Stmt{Kind: KindExpect, Check: Check{Kind: CheckRoundTrips, Want: "1"}}},
		"expect trace":       {`expect trace contains "conflict"`, Stmt{Kind: KindExpect, Check: Check{Kind: CheckTrace, Want: "conflict"}}},
		"expect output":      {`expect output contains "not found"`, Stmt{Kind: KindExpect, Check: Check{Kind: CheckOutput, Want: "not found"}}},
		"expect checker":     {`expect checker violation`, Stmt{Kind: KindExpect, Check: Check{Kind: CheckChecker, Want: "violation"}}},
		"ask":                {`ask "Will it commit?" no`, Stmt{Kind: KindAsk, Text: "Will it commit?", Answer: "no"}},
		"quorum":             {`quorum 2 2`, Stmt{Kind: KindQuorum, Prepare: 2, Accept: 2}},
		"unsafe quorum":      {`quorum 1 1 unsafe`, Stmt{Kind: KindQuorum, Prepare: 1, Accept: 1, Unsafe: true}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			s, err := Parse("t.demo", script(tc.line))
			if err != nil {
				t.Fatal(err)
			}
			tc.want.Line = 3
			if have := s.Steps[0].Stmts[0]; !reflect.DeepEqual(tc.want, have) {
				t.Errorf("want %+v, have %+v", tc.want, have)
			}
		})
	}
}

func TestParse_Script(t *testing.T) {
	s, err := Parse("t.demo", "# a comment\n\ndemo crash \"A crash\"\nsummary Kill one.\nstep \"Kill\"\n  do kill a2\nstep \"Back\"\ndo restart a2\n")
	if err != nil {
		t.Fatal(err)
	}
	want := &Script{File: "t.demo", Name: "crash", Title: "A crash", Summary: "Kill one.", Steps: []Step{
		{Title: "Kill", Line: 5, Stmts: []Stmt{{Kind: KindDo, Line: 6, Text: "kill a2"}}},
		{Title: "Back", Line: 7, Stmts: []Stmt{{Kind: KindDo, Line: 8, Text: "restart a2"}}},
	}}
	if !reflect.DeepEqual(want, s) {
		t.Errorf("want %+v, have %+v", want, s)
	}
}

func TestParse_Errors(t *testing.T) {
	tests := map[string]struct {
		text string
		line int
		says string
	}{
		"empty":              {"# nothing\n", 1, "the script is empty"},
		"no demo line":       {"step \"one\"\n", 1, `must start with  demo NAME "Title"`},
		"demo without title": {"demo crash\n", 1, "needs a title in quotes"},
		"demo without name":  {"demo \"A crash\"\n", 1, "needs a name and a title"},
		"two demos":          {"demo a \"A\"\ndemo b \"B\"\n", 2, "one demo"},
		"no step":            {"demo a \"A\"\nsummary s\n", 2, "has no step"},
		"late summary":       {script("say x", "summary s"), 4, "summary must come once"},
		"outside a step":     {"demo a \"A\"\ndo set k 1\n", 2, "must be inside a step"},
		"step without title": {"demo a \"A\"\nstep one\n", 2, "step needs a title in quotes"},
		"after step title":   {"demo a \"A\"\nstep \"one\" two\n", 2, `unexpected "two"`},
		"unknown statement":  {script("say x", "sya y"), 4, `unknown statement "sya"`},
		"do nothing":         {script("do"), 3, "do needs a dashboard command"},
		"do empty proposer":  {script("do : set k 1"), 3, "proposer's name is missing"},
		"start not a change": {script("start kill a2"), 3, "start runs a change in the background"},
		"wait with words":    {script("wait now"), 3, "wait takes nothing"},
		"hold nothing":       {script("hold"), 3, "hold needs the messages"},
		"hold bad phase":     {script("hold commit to a1"), 3, `"commit" is not a phase`},
		"replies to":         {script("hold accept replies to a1"), 3, "replies come from an acceptor"},
		"requests from":      {script("hold accept from a1"), 3, "requests go to an acceptor"},
		"pattern no name":    {script("deliver accept to"), 3, `"to" needs a name`},
		"pattern junk":       {script("drop accept to a1 to a2"), 3, `unexpected "to"`},
		"expect nothing":     {script("expect"), 3, "needs a checkpoint"},
		"expect unknown":     {script("expect weather sunny"), 3, `"weather sunny" is not a checkpoint`},
		"expect value no =":  {script("expect value k 1"), 3, "value needs a key, = and a value"},
		"expect node state":  {script("expect node a2 sleepy"), 3, `"sleepy" is not one of up, down, paused, wiped`},
		"expect outcome":     {script("expect last change maybe"), 3, `"maybe" is not one of ok, failed, unknown`},
		"expect trips":       {script("expect round trips 3"), 3, `"3" is not 1 or 2`},
		"expect trace quote": {script("expect trace contains conflict"), 3, "needs a text in quotes"},
		"expect checker":     {script("expect checker fine"), 3, `"fine" is not one of linearizable, violation`},
		"ask no quotes":      {script("ask will it? yes"), 3, "ask needs a question in quotes"},
		"ask no answer":      {script(`ask "Will it?"`), 3, "must be yes or no"},
		"quorum one number":  {script("quorum 2"), 3, "quorum needs the prepare and the accept quorum sizes"},
		"quorum not numbers": {script("quorum two 2"), 3, "are not two whole numbers"},
		"quorum zero":        {script("quorum 0 2"), 3, "at least 1"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := Parse("t.demo", tc.text)
			var perr *ParseError
			if !errors.As(err, &perr) || !errors.Is(err, ErrScript) {
				t.Fatalf("want a *ParseError, have %v", err)
			}
			if perr.Line != tc.line || !strings.Contains(perr.Msg, tc.says) {
				t.Errorf("want line %d saying %q, have %v", tc.line, tc.says, err)
			}
			if prefix := "t.demo:"; !strings.HasPrefix(err.Error(), prefix) {
				t.Errorf("want the error to start with %q, have %q", prefix, err)
			}
		})
	}
}

func TestParts_CutAfterEachQuestion(t *testing.T) {
	s, err := Parse("t.demo", script(`say a`, `ask "q1?" yes`, `say b`, `ask "q2?" no`, `say c`))
	if err != nil {
		t.Fatal(err)
	}
	st := s.Steps[0]
	if have := Parts(st); have != 3 {
		t.Fatalf("want 3 parts, have %d", have)
	}
	for i, want := range []string{"a q1?", "b q2?", "c"} {
		var texts []string
		for _, x := range part(st, i) {
			texts = append(texts, x.Text)
		}
		if have := strings.Join(texts, " "); have != want {
			t.Errorf("part %d: want %q, have %q", i, want, have)
		}
	}
}

func TestBuiltin_Parse(t *testing.T) {
	all, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	if want, have := 9, len(all); want != have {
		t.Fatalf("want %d built-in demos, have %d", want, have)
	}
	seen := map[string]bool{}
	for _, s := range all {
		if seen[s.Name] || s.Summary == "" {
			t.Errorf("demo %s: want a unique name and a summary", s.Name)
		}
		seen[s.Name] = true
	}
}
