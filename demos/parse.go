package demos

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/gryadka/gryadka/paxos"
)

// ErrScript is wrapped by every mistake found in a script.
var ErrScript = errors.New("demos: mistake in the script")

// ParseError is a mistake in a script, at a line.
type ParseError struct {
	File string
	Line int
	Msg  string
}

// Error returns "first_change.demo:12: msg".
func (e *ParseError) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg) }

// Is lets errors.Is match ErrScript.
func (e *ParseError) Is(target error) bool { return target == ErrScript }

// kvCommands are the command-line commands that run a change; only they
// may be started in the background.
var kvCommands = []string{"get", "set", "cas", "incr", "del", "change"}

// Parse reads a script. file names it in error messages.
func Parse(file, text string) (*Script, error) {
	p := &parser{s: &Script{File: file}}
	for i, raw := range strings.Split(text, "\n") {
		line := strings.TrimSpace(raw)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		p.line = i + 1
		word, rest, _ := strings.Cut(line, " ")
		if err := p.statement(word, strings.TrimSpace(rest)); err != nil {
			return nil, err
		}
	}
	switch {
	case p.s.Name == "":
		return nil, &ParseError{File: file, Line: 1, Msg: `the script is empty: it must start with  demo NAME "Title"`}
	case len(p.s.Steps) == 0:
		return nil, p.errorf(`the demo has no step: add one with  step "Title"  and what happens in it`)
	}
	return p.s, nil
}

type parser struct {
	s    *Script
	line int
}

func (p *parser) errorf(format string, args ...any) error {
	return &ParseError{File: p.s.File, Line: p.line, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) statement(word, rest string) error {
	if p.s.Name == "" && word != "demo" {
		return p.errorf(`a script must start with  demo NAME "Title", not with %q`, word)
	}
	switch word {
	case "demo":
		return p.demo(rest)
	case "summary":
		if len(p.s.Steps) > 0 || p.s.Summary != "" {
			return p.errorf("summary must come once, right after the demo line")
		}
		p.s.Summary = rest
		return nil
	case "step":
		title, after, err := p.quoted(rest, "step needs a title in quotes, such as  step \"Kill a node\"")
		if err != nil {
			return err
		}
		if after != "" {
			return p.errorf("unexpected %q after the step's title", after)
		}
		p.s.Steps = append(p.s.Steps, Step{Title: title, Line: p.line})
		return nil
	}
	if len(p.s.Steps) == 0 {
		return p.errorf(`%q must be inside a step: add  step "Title"  before it`, word)
	}
	st, err := p.inStep(word, rest)
	if err != nil {
		return err
	}
	st.Line = p.line
	step := &p.s.Steps[len(p.s.Steps)-1]
	step.Stmts = append(step.Stmts, st)
	return nil
}

func (p *parser) demo(rest string) error {
	if p.s.Name != "" {
		return p.errorf("a script holds one demo; this second demo line is one too many")
	}
	name, after, _ := strings.Cut(rest, " ")
	if name == "" || strings.HasPrefix(name, `"`) {
		return p.errorf(`demo needs a name and a title, such as  demo crash "An acceptor crashes"`)
	}
	title, extra, err := p.quoted(strings.TrimSpace(after), `demo needs a title in quotes after its name, such as  demo crash "An acceptor crashes"`)
	if err != nil {
		return err
	}
	if extra != "" {
		return p.errorf("unexpected %q after the demo's title", extra)
	}
	p.s.Name, p.s.Title = name, title
	return nil
}

func (p *parser) inStep(word, rest string) (Stmt, error) {
	switch word {
	case "say":
		return Stmt{Kind: KindSay, Text: rest}, nil
	case "do", "start":
		return p.command(word, rest)
	case "wait":
		if rest != "" {
			return Stmt{}, p.errorf("wait takes nothing after it; it waits for every change begun with start")
		}
		return Stmt{Kind: KindWait}, nil
	case "hold", "release", "deliver", "drop":
		pat, err := p.pattern(word, rest)
		kind := map[string]Kind{"hold": KindHold, "release": KindRelease, "deliver": KindDeliver, "drop": KindDrop}[word]
		return Stmt{Kind: kind, Pattern: pat}, err
	case "expect":
		c, err := p.check(rest)
		return Stmt{Kind: KindExpect, Check: c}, err
	case "ask":
		return p.ask(rest)
	case "quorum":
		return p.quorum(rest)
	}
	return Stmt{}, p.errorf("unknown statement %q; a step holds say, do, start, wait, hold, release, deliver, drop, expect, ask and quorum", word)
}

func (p *parser) command(word, rest string) (Stmt, error) {
	st := Stmt{Kind: KindDo}
	if word == "start" {
		st.Kind = KindStart
	}
	if first, after, ok := strings.Cut(rest, " "); ok && strings.HasSuffix(first, ":") {
		st.Proposer, rest = strings.TrimSuffix(first, ":"), strings.TrimSpace(after)
		if st.Proposer == "" {
			return Stmt{}, p.errorf("%s: a proposer's name is missing before the colon, as in  %s p2: set k 1", word, word)
		}
	}
	if rest == "" {
		return Stmt{}, p.errorf("%s needs a dashboard command, such as  %s set k 1", word, word)
	}
	st.Text = rest
	name, _, _ := strings.Cut(rest, " ")
	if st.Kind == KindStart && !slices.Contains(kvCommands, name) {
		return Stmt{}, p.errorf("start runs a change in the background, so it takes %s; use  do %s  instead",
			strings.Join(kvCommands, ", "), rest)
	}
	return st, nil
}

func (p *parser) pattern(word, rest string) (Pattern, error) {
	example := fmt.Sprintf("for example  %s accept to a1  or  %s prepare replies from a2 by p1", word, word)
	f := strings.Fields(rest)
	if len(f) == 0 {
		return Pattern{}, p.errorf("%s needs the messages it acts on; %s", word, example)
	}
	var pat Pattern
	switch f[0] {
	case "prepare":
		pat.Phase = paxos.PhasePrepare
	case "accept":
		pat.Phase = paxos.PhaseAccept
	case "all":
	default:
		return Pattern{}, p.errorf("%s: %q is not a phase: write prepare, accept or all; %s", word, f[0], example)
	}
	f = f[1:]
	if len(f) > 0 && f[0] == "replies" {
		pat.Replies, f = true, f[1:]
	}
	for len(f) > 0 {
		if len(f) < 2 {
			return Pattern{}, p.errorf("%s: %q needs a name after it; %s", word, f[0], example)
		}
		switch {
		case f[0] == "to" && pat.Replies:
			return Pattern{}, p.errorf("%s: replies come from an acceptor: write  from %s", word, f[1])
		case f[0] == "from" && !pat.Replies:
			return Pattern{}, p.errorf("%s: requests go to an acceptor: write  to %s, or  replies from %s", word, f[1], f[1])
		case (f[0] == "to" || f[0] == "from") && pat.Acceptor == "":
			pat.Acceptor = f[1]
		case f[0] == "by" && pat.Proposer == "":
			pat.Proposer = f[1]
		default:
			return Pattern{}, p.errorf("%s: unexpected %q; %s", word, f[0], example)
		}
		f = f[2:]
	}
	return pat, nil
}

func (p *parser) check(rest string) (Check, error) {
	f := strings.Fields(rest)
	bad := func(why string) (Check, error) {
		return Check{}, p.errorf("expect %s; the checkpoints are  value KEY = VALUE,  node NODE up|down|paused|wiped,  "+
			"last change ok|failed|unknown,  round trips N,  trace contains \"TEXT\",  output contains \"TEXT\"  and  "+
			"checker linearizable|violation", why)
	}
	if len(f) == 0 {
		return bad("needs a checkpoint")
	}
	oneOf := func(c Check, have string, words ...string) (Check, error) {
		if !slices.Contains(words, have) {
			return Check{}, p.errorf("expect %s: %q is not one of %s", c.Kind.word(), have, strings.Join(words, ", "))
		}
		c.Want = have
		return c, nil
	}
	switch {
	case f[0] == "value":
		key, want, ok := strings.Cut(strings.TrimSpace(strings.TrimPrefix(rest, "value")), "=")
		key, want = strings.TrimSpace(key), strings.TrimSpace(want)
		if !ok || key == "" || want == "" || strings.ContainsAny(key, " \t") {
			return bad("value needs a key, = and a value, such as  expect value k = 1")
		}
		return Check{Kind: CheckValue, Subject: key, Want: want}, nil
	case f[0] == "node" && len(f) == 3:
		return oneOf(Check{Kind: CheckNode, Subject: f[1]}, f[2], "up", "down", "paused", "wiped")
	case f[0] == "last" && len(f) == 3 && f[1] == "change":
		return oneOf(Check{Kind: CheckLastChange}, f[2], "ok", "failed", "unknown")
	case f[0] == "round" && len(f) == 3 && f[1] == "trips":
		if n, err := strconv.Atoi(f[2]); err != nil || n < 1 || n > 2 {
			return Check{}, p.errorf("expect round trips: %q is not 1 or 2", f[2])
		}
		return Check{Kind: CheckRoundTrips, Want: f[2]}, nil
	case (f[0] == "trace" || f[0] == "output") && len(f) > 1 && f[1] == "contains":
		_, after, _ := strings.Cut(rest, "contains")
		text, extra, err := p.quoted(strings.TrimSpace(after), fmt.Sprintf("expect %s contains needs a text in quotes, such as  expect %s contains \"conflict\"", f[0], f[0]))
		if err != nil {
			return Check{}, err
		}
		if extra != "" || text == "" {
			return bad(fmt.Sprintf("%s contains takes one non-empty text in quotes", f[0]))
		}
		kind := map[string]CheckKind{"trace": CheckTrace, "output": CheckOutput}[f[0]]
		return Check{Kind: kind, Want: text}, nil
	case f[0] == "checker" && len(f) == 2:
		return oneOf(Check{Kind: CheckChecker}, f[1], "linearizable", "violation")
	}
	return bad(fmt.Sprintf("%q is not a checkpoint", rest))
}

// word names a checkpoint kind in error messages.
func (k CheckKind) word() string {
	return map[CheckKind]string{CheckValue: "value", CheckNode: "node", CheckLastChange: "last change",
		CheckRoundTrips: "round trips", CheckTrace: "trace contains", CheckOutput: "output contains",
		CheckChecker: "checker"}[k]
}

func (p *parser) ask(rest string) (Stmt, error) {
	q, answer, err := p.quoted(rest, `ask needs a question in quotes and its answer, such as  ask "Will this prepare succeed?" yes`)
	if err != nil {
		return Stmt{}, err
	}
	if answer != "yes" && answer != "no" {
		return Stmt{}, p.errorf("ask: the answer after the question must be yes or no, not %q", answer)
	}
	return Stmt{Kind: KindAsk, Text: q, Answer: answer}, nil
}

func (p *parser) quorum(rest string) (Stmt, error) {
	f := strings.Fields(rest)
	if len(f) == 3 && f[2] == "unsafe" {
		f = f[:2]
	} else if len(f) != 2 {
		return Stmt{}, p.errorf("quorum needs the prepare and the accept quorum sizes, such as  quorum 2 2  or  quorum 1 1 unsafe")
	}
	st := Stmt{Kind: KindQuorum, Unsafe: strings.HasSuffix(rest, "unsafe")}
	var err1, err2 error
	st.Prepare, err1 = strconv.Atoi(f[0])
	st.Accept, err2 = strconv.Atoi(f[1])
	if err1 != nil || err2 != nil || st.Prepare < 1 || st.Accept < 1 {
		return Stmt{}, p.errorf("quorum: %s %s are not two whole numbers of acceptors, at least 1", f[0], f[1])
	}
	return st, nil
}

// quoted reads a text in double quotes at the start of s and returns it
// with the rest of s; why explains the mistake when there is none.
func (p *parser) quoted(s, why string) (text, rest string, err error) {
	q, qerr := strconv.QuotedPrefix(s)
	if qerr != nil || !strings.HasPrefix(q, `"`) {
		return "", "", p.errorf("%s", why)
	}
	text, _ = strconv.Unquote(q)
	return text, strings.TrimSpace(s[len(q):]), nil
}
