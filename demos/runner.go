package demos

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/gryadka/gryadka/check"
	"github.com/gryadka/gryadka/trace"
	"github.com/gryadka/gryadka/tui"
)

// Timing of the runner: how long a started change may take to finish or to
// reach a held message, how long deliver and drop wait for a message, how
// long wait waits, and the quiet time that ends a statement's trace.
const (
	startTimeout = 10 * time.Second
	heldTimeout  = 5 * time.Second
	waitTimeout  = 20 * time.Second
	traceQuiet   = 30 * time.Millisecond
	traceMax     = time.Second
)

// ErrCheckpoint is wrapped by a checkpoint that does not hold, and
// ErrStatement by a statement that could not run.
var (
	ErrCheckpoint = errors.New("demos: checkpoint failed")
	ErrStatement  = errors.New("demos: statement failed")
)

// Runner plays scripts on a dashboard environment: do lines run the
// dashboard's own command language (tui.Executor), expect lines check
// the cluster, and the trace of the proposers is narrated as it comes.
// A Runner is not safe for concurrent use.
type Runner struct {
	ctx    context.Context
	cancel context.CancelFunc
	env    tui.Env
	ex     *tui.Executor
	sub    *trace.Sub
	hist   *check.Recorder
	held   *holds

	records  []trace.Record // traced since the current step started
	shown    int            // records already narrated
	changeAt int            // the first record of the last change
	last     Outcome        // of the last change
	lastOut  string         // output of the last do, start or wait
	started  []*started
	clients  int
}

// started is a change begun with start.
type started struct {
	line int
	text string
	done chan struct{}
	out  string
	err  error
}

// NewRunner returns a runner acting on env, which must have a trace bus.
// Close releases it.
func NewRunner(ctx context.Context, env tui.Env) *Runner {
	ctx, cancel := context.WithCancel(ctx)
	r := &Runner{ctx: ctx, cancel: cancel, env: env, ex: tui.NewExecutor(ctx, env), hist: check.NewRecorder(),
		sub: env.Bus.Subscribe(ctx, trace.WithBuffer(1<<16))}
	r.held = newHolds(env.Links)
	return r
}

// Close stops what the runner started: held messages go on, step mode
// ends if the runner turned it on, changes still running are given up,
// and a workload stops.
func (r *Runner) Close() {
	if r.held.active() {
		r.held.stop()
		// Closing: there is nobody left to tell if step mode fails to end.
		_, _ = r.ex.Exec("step off")
	}
	r.cancel() // ends the changes still running
	for _, s := range r.started {
		<-s.done
	}
	r.ex.Close()
}

// Run plays every step of s, writing the narration and the narrated trace
// to w. Questions are printed with their answers. It stops at the first
// checkpoint or statement that fails, naming its file and line.
func (r *Runner) Run(s *Script, w io.Writer) error {
	fmt.Fprintf(w, "== %s: %s ==\n", s.Name, s.Title)
	if s.Summary != "" {
		fmt.Fprintln(w, s.Summary)
	}
	for i := range s.Steps {
		for part := range Parts(s.Steps[i]) {
			ask, err := r.Play(s, i, part, w)
			if err != nil {
				return err
			}
			if ask != nil {
				fmt.Fprintf(w, "  answer: %s\n", ask.Answer)
			}
		}
	}
	return nil
}

// Parts returns how many parts a step has: it is cut after each ask, so
// the learner can answer before the rest runs.
func Parts(st Step) int {
	n := 1
	for i, x := range st.Stmts {
		if x.Kind == KindAsk && i < len(st.Stmts)-1 {
			n++
		}
	}
	return n
}

// part returns the statements of a part of st.
func part(st Step, n int) []Stmt {
	from := 0
	for i, x := range st.Stmts {
		if x.Kind != KindAsk {
			continue
		}
		if n == 0 {
			return st.Stmts[from : i+1]
		}
		n, from = n-1, i+1
	}
	return st.Stmts[from:]
}

// Play runs one part of a step of s, writing what happens to w. A part
// that ends with a question returns it: its answer is for the caller to
// reveal.
func (r *Runner) Play(s *Script, step, n int, w io.Writer) (*Stmt, error) {
	st := s.Steps[step]
	if n == 0 {
		r.drain(0)
		r.records, r.shown, r.changeAt = nil, 0, 0 // checkpoints look at this step's trace
		fmt.Fprintf(w, "\n-- step %d of %d: %s --\n", step+1, len(s.Steps), st.Title)
	}
	for _, x := range part(st, n) {
		if err := r.stmt(x, w); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", s.File, x.Line, err)
		}
		if x.Kind == KindAsk {
			return &x, nil
		}
	}
	return nil, nil
}

func (r *Runner) stmt(x Stmt, w io.Writer) error {
	switch x.Kind {
	case KindSay:
		fmt.Fprintln(w, "  "+x.Text)
	case KindDo:
		return r.do(x, w)
	case KindStart:
		return r.start(x, w)
	case KindWait:
		return r.wait(x, w)
	case KindHold, KindRelease, KindDeliver, KindDrop:
		return r.message(x, w)
	case KindExpect:
		if err := r.expect(x.Check); err != nil {
			return fmt.Errorf("%w: expect %s: %w", ErrCheckpoint, x.Check, err)
		}
		fmt.Fprintf(w, "  ✓ expect %s\n", x.Check)
	case KindAsk:
		fmt.Fprintf(w, "  ? %s\n", x.Text)
	case KindQuorum:
		return r.quorum(x, w)
	}
	return nil
}
