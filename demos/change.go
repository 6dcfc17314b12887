package demos

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/gryadka/gryadka/check"
	"github.com/gryadka/gryadka/cluster"
	"github.com/gryadka/gryadka/trace"
	"github.com/gryadka/gryadka/tui"
)

// isChange reports whether a command line runs a change.
func isChange(line string) bool {
	name, _, _ := strings.Cut(line, " ")
	return slices.Contains(kvCommands, name)
}

func (r *Runner) use(x Stmt, w io.Writer) error {
	prefix := ""
	if x.Proposer != "" {
		if err := r.ex.Use(x.Proposer); err != nil {
			return fmt.Errorf("%w: %s: %w", ErrStatement, x.Kind, err)
		}
		prefix = x.Proposer + ": "
	}
	verb := map[Kind]string{KindDo: "$", KindStart: "$ (in the background)"}[x.Kind]
	fmt.Fprintf(w, "%s %s%s\n", verb, prefix, x.Text)
	return nil
}

func (r *Runner) do(x Stmt, w io.Writer) error {
	if err := r.use(x, w); err != nil {
		return err
	}
	change := isChange(x.Text)
	if change {
		r.drain(0)
		r.changeAt = len(r.records)
	}
	pending := r.invoke(x.Text)
	out, err := r.ex.Exec(x.Text)
	r.lastOut = out
	if err != nil {
		r.lastOut = err.Error()
	}
	switch {
	case tui.IsUsage(err):
		return fmt.Errorf("%w: do %s: %w", ErrStatement, x.Text, err)
	case err != nil && !change:
		return fmt.Errorf("%w: do %s: %w", ErrStatement, x.Text, err)
	case change:
		r.finish(pending, x.Text, out, err)
	}
	r.report(w, out, err)
	r.narrate(w)
	return nil
}

// invoke records a change's start in the checker's history.
func (r *Runner) invoke(line string) *check.Pending {
	in, ok := inputOf(line)
	if !ok {
		return nil
	}
	r.clients++
	return r.hist.Invoke(r.clients, in)
}

// finish records a change's outcome.
func (r *Runner) finish(p *check.Pending, line, out string, err error) {
	r.last = outcomeOf(err)
	if p != nil {
		in, _ := inputOf(line)
		p.Return(outputOf(in.Kind, out, err))
	}
}

func (r *Runner) report(w io.Writer, out string, err error) {
	for _, l := range strings.Split(out, "\n") {
		if l != "" {
			fmt.Fprintln(w, "  → "+l)
		}
	}
	switch {
	case err != nil && outcomeOf(err) == OutcomeOK:
		fmt.Fprintln(w, "  → "+err.Error())
	case err != nil:
		fmt.Fprintln(w, "  ✗ "+err.Error())
	}
}

func (r *Runner) start(x Stmt, w io.Writer) error {
	if err := r.use(x, w); err != nil {
		return err
	}
	r.drain(0)
	r.changeAt = len(r.records)
	before := r.held.matching()
	wait, err := r.ex.Start(x.Text)
	if err != nil {
		return fmt.Errorf("%w: start %s: %w", ErrStatement, x.Text, err)
	}
	s := &started{line: x.Line, text: x.Text, done: make(chan struct{})}
	pending := r.invoke(x.Text)
	go func() {
		defer close(s.done)
		s.out, s.err = wait()
		if pending != nil {
			in, _ := inputOf(x.Text)
			pending.Return(outputOf(in.Kind, s.out, s.err))
		}
	}()
	r.started = append(r.started, s)
	deadline := time.Now().Add(startTimeout)
	for {
		select {
		case <-s.done:
			r.narrate(w)
			return nil
		case <-time.After(2 * time.Millisecond):
		}
		if r.held.matching() > before {
			r.narrate(w)
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%w: start %s: the change neither finished nor reached a held message in %s",
				ErrStatement, x.Text, startTimeout)
		}
	}
}

func (r *Runner) wait(x Stmt, w io.Writer) error {
	if len(r.started) == 0 {
		return fmt.Errorf("%w: wait: no change was begun with start", ErrStatement)
	}
	timeout := time.After(waitTimeout)
	for _, s := range r.started {
		select {
		case <-s.done:
		case <-timeout:
			return fmt.Errorf("%w: wait: the change begun at line %d (%s) has not finished after %s; are its messages still held? release them first",
				ErrStatement, s.line, s.text, waitTimeout)
		}
		fmt.Fprintf(w, "$ wait for %s\n", s.text)
		r.report(w, s.out, s.err)
		if tui.IsUsage(s.err) {
			return fmt.Errorf("%w: start %s: %w", ErrStatement, s.text, s.err)
		}
		r.last, r.lastOut = outcomeOf(s.err), s.out
		if s.err != nil {
			r.lastOut = s.err.Error()
		}
	}
	r.started = nil
	r.narrate(w)
	return nil
}

// drain moves the trace records that arrived into r.records. With quiet
// above 0 it goes on until no record came for that long, or for traceMax.
func (r *Runner) drain(quiet time.Duration) {
	deadline := time.Now().Add(traceMax)
	for {
		select {
		case rec, ok := <-r.sub.C():
			if !ok {
				return
			}
			r.records = append(r.records, rec)
			continue
		default:
		}
		if quiet <= 0 || time.Now().After(deadline) {
			return
		}
		select {
		case rec, ok := <-r.sub.C():
			if !ok {
				return
			}
			r.records = append(r.records, rec)
		case <-time.After(quiet):
			return
		}
	}
}

// narrate draws the trace records not narrated yet as a sequence chart,
// leaving out the messages a hold rule did not keep, which step mode held
// only for the pump to let go.
func (r *Runner) narrate(w io.Writer) {
	r.drain(traceQuiet)
	var news []trace.Record
	for _, rec := range r.records[r.shown:] {
		if e, ok := rec.Event.(cluster.LinkEvent); !ok || e.Held == 0 || !r.held.wentOn(e.Held) {
			news = append(news, rec)
		}
	}
	chart := strings.TrimRight(trace.Sequence(news), "\n")
	if chart != "" {
		fmt.Fprintln(w, "  | "+strings.ReplaceAll(chart, "\n", "\n  | "))
	}
	r.shown = len(r.records)
}
