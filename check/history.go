package check

import (
	"cmp"
	"fmt"
	"slices"
	"sync"
	"time"
)

// OpKind names an operation of the versioned register.
type OpKind uint8

// The operations a client can run on a key.
const (
	OpGet OpKind = iota + 1
	OpSet
	OpCAS
	OpIncr
	OpDelete
)

// String returns "get", "set", "cas", "incr" or "del".
func (k OpKind) String() string {
	switch k {
	case OpGet:
		return "get"
	case OpSet:
		return "set"
	case OpCAS:
		return "cas"
	case OpIncr:
		return "incr"
	case OpDelete:
		return "del"
	}
	return fmt.Sprintf("OpKind(%d)", uint8(k))
}

// Outcome is what a client learned about an operation.
type Outcome uint8

// The outcomes of an operation.
const (
	// OutcomeOK: the operation took effect, and Output says what it saw.
	OutcomeOK Outcome = iota + 1
	// OutcomeFailed: the operation certainly did not take effect, and
	// nothing was learned about the key.
	OutcomeFailed
	// OutcomeUnknown: the operation may or may not have taken effect, now
	// or at any later time.
	OutcomeUnknown
	// OutcomeRefused: the operation ran and changed nothing, because the
	// key was not as it required: a compare-and-set found another version,
	// a delete found no value.
	OutcomeRefused
)

// String returns "ok", "failed", "unknown" or "refused".
func (o Outcome) String() string {
	switch o {
	case OutcomeOK:
		return "ok"
	case OutcomeFailed:
		return "failed"
	case OutcomeUnknown:
		return "unknown"
	case OutcomeRefused:
		return "refused"
	}
	return fmt.Sprintf("Outcome(%d)", uint8(o))
}

// Input is an operation as a client invoked it. Value is the value to
// write (set, cas); Version is the version a compare-and-set expects.
type Input struct {
	Kind    OpKind
	Key     string
	Value   int64
	Version uint64
}

// String returns the operation as a command, "cas k 3 42".
func (in Input) String() string {
	switch in.Kind {
	case OpSet:
		return fmt.Sprintf("set %s %d", in.Key, in.Value)
	case OpCAS:
		return fmt.Sprintf("cas %s %d %d", in.Key, in.Version, in.Value)
	}
	return fmt.Sprintf("%s %s", in.Kind, in.Key)
}

// Output is what an operation returned: whether the key existed and its
// value after the operation (for a get, what it read), and its version when
// Versioned. A refused operation (a compare-and-set on another version, a
// delete of a missing key) reports the version it found, if it knows it.
type Output struct {
	Outcome   Outcome
	Exists    bool
	Value     int64
	Version   uint64
	Versioned bool

	credit creditKind // set by prepare
}

// String returns the output in words, "ok 42 v3".
func (out Output) String() string {
	s := out.Outcome.String()
	switch {
	case out.Outcome == OutcomeOK && out.Exists:
		s += fmt.Sprintf(" %d", out.Value)
	case out.Outcome == OutcomeOK:
		s += " nil"
	}
	if out.Versioned {
		s += fmt.Sprintf(" v%d", out.Version)
	}
	return s
}

// Op is one recorded operation. Call and Return are nanoseconds since the
// recording started, strictly increasing across the whole history; an
// operation whose outcome is unknown returns when the history ends.
type Op struct {
	Client int
	Input  Input
	Output Output
	Call   int64
	Return int64
}

// Recorder collects the history of concurrent clients. It is safe for
// concurrent use. Times come from the monotonic clock and are taken under
// the recorder's lock, so an operation that returned before another was
// invoked is recorded in that order.
type Recorder struct {
	start time.Time

	mu      sync.Mutex
	last    int64
	ops     []Op
	pending map[*Pending]struct{}
}

// Pending is an invoked operation waiting for its output.
type Pending struct {
	r  *Recorder
	op Op
}

// NewRecorder returns an empty recorder whose clock starts now.
func NewRecorder() *Recorder {
	return &Recorder{start: time.Now(), pending: map[*Pending]struct{}{}}
}

// Start returns the wall-clock time the recorder's clock counts from.
func (r *Recorder) Start() time.Time { return r.start }

// Now returns the recorder's clock: nanoseconds since it started, never the
// same value twice.
func (r *Recorder) Now() int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.tick()
}

func (r *Recorder) tick() int64 {
	t := int64(time.Since(r.start))
	if t <= r.last {
		t = r.last + 1
	}
	r.last = t
	return t
}

// Invoke records that client starts in. Call Return on the result once
// the client knows the outcome.
func (r *Recorder) Invoke(client int, in Input) *Pending {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := &Pending{r: r, op: Op{Client: client, Input: in, Call: r.tick()}}
	r.pending[p] = struct{}{}
	return p
}

// Return records the operation's output. An unknown outcome keeps the
// operation open until the history ends. Only the first call counts.
func (p *Pending) Return(out Output) {
	r := p.r
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.pending[p]; !ok {
		return
	}
	delete(r.pending, p)
	p.op.Output = out
	p.op.Return = r.tick()
	r.ops = append(r.ops, p.op)
}

// History returns the operations recorded so far, ordered by invocation.
// Operations still pending, or whose outcome is unknown, return after
// every other event of the history: they may take effect at any time.
func (r *Recorder) History() []Op {
	r.mu.Lock()
	defer r.mu.Unlock()
	end := r.tick()
	ops := slices.Clone(r.ops)
	for p := range r.pending {
		op := p.op
		op.Output = Output{Outcome: OutcomeUnknown}
		ops = append(ops, op)
	}
	for i := range ops {
		if ops[i].Output.Outcome == OutcomeUnknown {
			ops[i].Return = end
		}
	}
	slices.SortFunc(ops, func(a, b Op) int { return cmp.Compare(a.Call, b.Call) })
	return ops
}
