package tui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/gryadka/gryadka/paxos"
	"github.com/gryadka/gryadka/trace"
)

// Pacing of a replay.
const (
	frameInterval = 33 * time.Millisecond // how often a playing replay moves on
	maxFrame      = 250 * time.Millisecond
	maxGap        = time.Second // a longer quiet stretch of the recording is cut to this
	replayBar     = 2           // lines under the dashboard: position bar and keys
)

// replaySpeeds are the speeds a replay plays at, slowest first.
var replaySpeeds = []float64{0.25, 0.5, 1, 2, 4, 8, 16}

// normalSpeed is the index of 1× in replaySpeeds.
const normalSpeed = 2

// ErrEmptyRecording is returned when a recording holds no record at all.
var ErrEmptyRecording = errors.New("tui: the recording holds no trace record")

// Recording is a recorded trace, as `gryadka --record FILE` writes it.
type Recording struct {
	Name     string         // where it came from, shown in the title bar
	Records  []trace.Record // in file order
	Problems []error        // lines that did not decode, in file order
}

// LoadRecording reads a recording. Lines that do not decode are kept as
// Problems and the rest is still returned; a recording with no readable
// record at all is an error.
func LoadRecording(path string) (Recording, error) {
	f, err := os.Open(path)
	if err != nil {
		return Recording{}, fmt.Errorf("tui: opening the recording: %w", err)
	}
	defer f.Close()
	rec := Recording{Name: filepath.Base(path)}
	rec.Records, rec.Problems = trace.ReadAll(f)
	if len(rec.Records) == 0 {
		if len(rec.Problems) > 0 {
			return rec, fmt.Errorf("%w: %s: %v", ErrEmptyRecording, path, rec.Problems[0])
		}
		return rec, fmt.Errorf("%w: %s is empty", ErrEmptyRecording, path)
	}
	return rec, nil
}

// ProblemText tells in words what is wrong with a recording, or "" when
// nothing is.
func (r Recording) ProblemText() string {
	if len(r.Problems) == 0 {
		return ""
	}
	s := "the recording is damaged: " + strings.TrimPrefix(r.Problems[0].Error(), "trace: ")
	if n := len(r.Problems) - 1; n > 0 {
		s += fmt.Sprintf(" (and %s)", plural(n, "other bad line"))
	}
	return s + fmt.Sprintf("; replaying the %s that could be read", plural(len(r.Records), "record"))
}

// replayFrameMsg moves a playing replay on. Gen drops the frames of an
// earlier play.
type replayFrameMsg struct {
	Gen int
	At  time.Time
}

// Replay plays a recording back in the dashboard: the dashboard's panels,
// read-only and without a cluster, fed the recorded records up to a
// position that the user moves forwards and backwards.
type Replay struct {
	ctx   context.Context
	rec   Recording
	st    Styles
	keys  ReplayKeyMap
	inner *Model
	state *replayState

	w, h     int
	pos      int       // records shown: records[:pos]
	lastTick time.Time // the recorded time of the inner model's last tick

	playing   bool
	speed     int       // index in replaySpeeds
	gen       int       // of the frames of the current play
	clock     time.Time // the recorded time the play has reached
	lastFrame time.Time // the wall time of the last frame
}

// NewReplay returns a replay of rec, paused before its first record.
func NewReplay(ctx context.Context, rec Recording) *Replay {
	r := &Replay{ctx: ctx, rec: rec, st: DefaultStyles(), keys: DefaultReplayKeyMap(), speed: normalSpeed}
	r.inner, r.state = r.newInner(), newReplayState()
	if text := rec.ProblemText(); text != "" {
		r.inner.status = resultMsg{Err: errors.New(text)}
	}
	return r
}

// newInner returns a dashboard with nothing to act on.
func (r *Replay) newInner() *Model {
	env := Env{ReadOnly: true, Title: "REPLAY of " + r.rec.Name}
	m := New(r.ctx, env, nil)
	m.manualTicks = true
	// Space plays and pauses the replay; the panels' pause would only
	// confuse, as the replay itself stands still when paused.
	m.keys.Freeze.SetEnabled(false)
	m.proto.keys.Freeze.SetEnabled(false)
	m.log.keys.Freeze.SetEnabled(false)
	return m
}

// Init implements tea.Model.
func (r *Replay) Init() tea.Cmd {
	if r.playing {
		return r.frameCmd()
	}
	return nil
}

// Update implements tea.Model: the replay's own keys and messages first,
// then the dashboard's.
func (r *Replay) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyMsg:
		if cmd, ok := r.key(msg); ok {
			return r, cmd
		}
	case tea.WindowSizeMsg:
		r.w, r.h = msg.Width, msg.Height
		_, cmd := r.inner.Update(tea.WindowSizeMsg{Width: msg.Width, Height: max(msg.Height-replayBar, 0)})
		return r, cmd
	case replayFrameMsg:
		return r, r.frame(msg)
	case snapshotMsg:
		// The recording, not a cluster, tells what the cluster was.
		_, cmd := r.inner.Update(r.state.snapshot())
		return r, cmd
	case commandMsg:
		switch c := msg.Cmd.(type) {
		case seekCommand:
			return r, r.seek(c)
		case exportCommand:
			return r, r.export(c)
		}
	}
	_, cmd := r.inner.Update(msg)
	return r, cmd
}

// Position returns how many records are shown, and how many there are.
func (r *Replay) Position() (n, total int) { return r.pos, len(r.rec.Records) }

// Playing reports whether the replay is playing.
func (r *Replay) Playing() bool { return r.playing }

// Speed returns the speed of play, 1 being the recorded pace.
func (r *Replay) Speed() float64 { return replaySpeeds[r.speed] }

// moveTo shows records[:n]: onwards from the current position, or rebuilt
// from the start when n is behind it, so that stepping back shows exactly
// what playing up to n showed.
func (r *Replay) moveTo(n int) {
	n = clamp(n, 0, len(r.rec.Records))
	if n < r.pos {
		r.rebuild()
	}
	r.advance(n)
}

// rebuild starts again from an empty dashboard, keeping what the user set:
// size, tab, focus, filter, command line and status.
func (r *Replay) rebuild() {
	old := r.inner
	m := r.newInner()
	m.tab, m.lastMain, m.focusCluster = old.tab, old.lastMain, old.focusCluster
	m.showHelp, m.helpTopic, m.status = old.showHelp, old.helpTopic, old.status
	m.prompt = old.prompt
	m.proto.Update(old.proto.filter)
	m.cluster.selected = old.cluster.selected
	m.Update(tea.WindowSizeMsg{Width: old.w, Height: old.h})
	r.inner, r.state, r.pos, r.lastTick = m, newReplayState(), 0, time.Time{}
}

// advance feeds records[pos:n] to the dashboard, with a tick each time the
// recorded clock passes a tick interval, as the live dashboard would have
// sampled its rates. The commands the dashboard returns are dropped: they
// would poll a cluster there is not.
func (r *Replay) advance(n int) {
	if n <= r.pos {
		return
	}
	batch := make([]trace.Record, 0, n-r.pos)
	flush := func() {
		if len(batch) > 0 {
			r.inner.Update(traceBatchMsg{Records: batch})
			batch = batch[len(batch):]
		}
	}
	for _, rec := range r.rec.Records[r.pos:n] {
		if at := eventTime(rec); !at.IsZero() {
			if r.lastTick.IsZero() {
				r.lastTick = at
			} else if at.Sub(r.lastTick) >= tickInterval {
				flush()
				r.lastTick = at
				r.inner.Update(tickMsg{At: at})
			}
		}
		r.state.apply(rec)
		batch = append(batch, rec)
	}
	flush()
	r.pos = n
	r.inner.Update(r.state.snapshot())
}

// nextChange returns the position that shows the start of the first
// change after the current position, or the end.
func (r *Replay) nextChange() int {
	for i := r.pos; i < len(r.rec.Records); i++ {
		if _, ok := r.rec.Records[i].Event.(paxos.ChangeStarted); ok {
			return i + 1
		}
	}
	return len(r.rec.Records)
}

// prevChange returns the position that shows the start of the last change
// before the one the current position shows the start of, or 0.
func (r *Replay) prevChange() int {
	for i := r.pos - 2; i >= 0; i-- {
		if _, ok := r.rec.Records[i].Event.(paxos.ChangeStarted); ok {
			return i + 1
		}
	}
	return 0
}

// play starts or stops playing; playing from the end starts again.
func (r *Replay) play(on bool) tea.Cmd {
	r.playing = on
	r.gen++
	if !on {
		return nil
	}
	if r.pos == len(r.rec.Records) {
		r.moveTo(0)
	}
	r.clock, r.lastFrame = r.timeAt(r.pos), time.Time{}
	return r.frameCmd()
}

// timeAt is the recorded time of the last record shown at position n, or
// of the first record when n is 0; zero if no record before says.
func (r *Replay) timeAt(n int) time.Time {
	if n == 0 && len(r.rec.Records) > 0 {
		return eventTime(r.rec.Records[0])
	}
	for i := n - 1; i >= 0; i-- {
		if at := eventTime(r.rec.Records[i]); !at.IsZero() {
			return at
		}
	}
	return time.Time{}
}

func (r *Replay) frameCmd() tea.Cmd {
	gen := r.gen
	return tea.Tick(frameInterval, func(t time.Time) tea.Msg { return replayFrameMsg{Gen: gen, At: t} })
}

// frame moves a playing replay on by the wall time since the last frame,
// scaled by the speed: every record up to the new recorded time is shown.
// A quiet stretch longer than maxGap is cut short.
func (r *Replay) frame(msg replayFrameMsg) tea.Cmd {
	if msg.Gen != r.gen || !r.playing {
		return nil
	}
	var elapsed time.Duration // the first frame only starts the wall clock
	if !r.lastFrame.IsZero() {
		elapsed = min(max(msg.At.Sub(r.lastFrame), 0), maxFrame)
	}
	r.lastFrame = msg.At
	r.clock = r.clock.Add(time.Duration(float64(elapsed) * r.Speed()))
	n := r.pos
	for n < len(r.rec.Records) {
		at := eventTime(r.rec.Records[n])
		if !at.IsZero() && at.Sub(r.clock) > maxGap {
			r.clock = at.Add(-maxGap)
		}
		if !at.IsZero() && at.After(r.clock) {
			break
		}
		n++
	}
	r.advance(n)
	if r.pos == len(r.rec.Records) {
		r.playing = false
		return nil
	}
	return r.frameCmd()
}

// RunReplay plays rec in the terminal, from its first record at the
// recorded pace, until the user quits or ctx is done.
func RunReplay(ctx context.Context, rec Recording) error {
	closeLog, err := setupLog()
	if err != nil {
		return err
	}
	defer closeLog()
	r := NewReplay(ctx, rec)
	r.play(true)
	_, err = tea.NewProgram(r, tea.WithAltScreen(), tea.WithContext(ctx)).Run()
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		return nil
	}
	return err
}
