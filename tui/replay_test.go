package tui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/gryadka/gryadka/cluster"
	"github.com/gryadka/gryadka/trace"
)

// replayDriver runs a Replay as a tea.Program would, synchronously, but
// keeps the frames of a playing replay for the test to deliver.
type replayDriver struct {
	t      testing.TB
	r      *Replay
	frames []replayFrameMsg
}

func newReplayDriver(t testing.TB, rec Recording, w, h int) *replayDriver {
	t.Helper()
	if rec.Name == "" {
		rec.Name = "run.jsonl"
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	d := &replayDriver{t: t, r: NewReplay(ctx, rec)}
	d.msg(tea.WindowSizeMsg{Width: w, Height: h})
	return d
}

func (d *replayDriver) msg(msg tea.Msg) {
	d.t.Helper()
	queue := []tea.Msg{msg}
	for n := 0; len(queue) > 0 && n < 10000; n++ {
		msg, queue = queue[0], queue[1:]
		switch msg := msg.(type) {
		case nil, tea.QuitMsg:
			continue
		case replayFrameMsg:
			if n > 0 { // scheduled by the replay: the test delivers it
				d.frames = append(d.frames, msg)
				continue
			}
		case tea.BatchMsg:
			for _, c := range msg {
				if c != nil {
					queue = append(queue, c())
				}
			}
			continue
		}
		_, cmd := d.r.Update(msg)
		if cmd != nil {
			queue = append(queue, cmd())
		}
	}
}

func (d *replayDriver) keys(keys ...string) {
	d.t.Helper()
	for _, k := range keys {
		d.msg(replayKey(k))
	}
}

func replayKey(k string) tea.KeyMsg {
	switch k {
	case "left":
		return tea.KeyMsg{Type: tea.KeyLeft}
	case "right":
		return tea.KeyMsg{Type: tea.KeyRight}
	}
	return keyMsg(k)
}

func (d *replayDriver) command(line string) {
	d.t.Helper()
	d.keys(":")
	for _, r := range line {
		d.msg(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
	d.keys("enter")
}

func (d *replayDriver) view() string { return ansi.Strip(d.r.View()) }

func demoRecording() Recording { return Recording{Name: "run.jsonl", Records: demoRecords()} }

func TestReplay_StepBackEqualsFreshBuild(t *testing.T) {
	total := len(demoRecords())
	for _, n := range []int{1, 2, 7, total / 2, total - 1, total} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			stepped := newReplayDriver(t, demoRecording(), 100, 30)
			for range n {
				stepped.keys("right")
			}
			stepped.keys("left")
			fresh := newReplayDriver(t, demoRecording(), 100, 30)
			fresh.r.moveTo(n - 1)
			if pos, _ := stepped.r.Position(); pos != n-1 {
				t.Fatalf("want position %d, have %d", n-1, pos)
			}
			if want, have := fresh.view(), stepped.view(); have != want {
				t.Errorf("stepping back differs from a fresh build:\nwant\n%s\nhave\n%s", want, have)
			}
		})
	}
}

func TestReplay_BatchesDoNotChangeTheView(t *testing.T) {
	oneByOne := newReplayDriver(t, demoRecording(), 160, 48)
	for range len(demoRecords()) {
		oneByOne.keys("right")
	}
	atOnce := newReplayDriver(t, demoRecording(), 160, 48)
	atOnce.keys("$")
	if want, have := atOnce.view(), oneByOne.view(); have != want {
		t.Errorf("want\n%s\nhave\n%s", want, have)
	}
}

func TestReplay_PlayAndPause(t *testing.T) {
	d := newReplayDriver(t, demoRecording(), 100, 30)
	d.keys(" ")
	if !d.r.Playing() || len(d.frames) != 1 {
		t.Fatalf("want playing with a frame scheduled, have playing=%v frames=%d", d.r.Playing(), len(d.frames))
	}
	// The demo's events are 1ms apart: 5ms of wall time at 1× shows the
	// first event and the five after it.
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	d.msg(replayFrameMsg{Gen: d.frames[0].Gen, At: start})
	first, _ := d.r.Position()
	d.msg(replayFrameMsg{Gen: d.frames[0].Gen, At: start.Add(5 * time.Millisecond)})
	second, _ := d.r.Position()
	if want := first + 5; second != want {
		t.Errorf("want position %d after 5ms, have %d (from %d)", want, second, first)
	}
	d.keys(" ")
	d.msg(replayFrameMsg{Gen: d.frames[0].Gen, At: start.Add(time.Second)})
	if have, _ := d.r.Position(); d.r.Playing() || have != second {
		t.Errorf("want paused at %d, have playing=%v at %d", second, d.r.Playing(), have)
	}
	if !strings.Contains(d.view(), "‖ paused") {
		t.Errorf("want the bar to say paused, have\n%s", d.view())
	}
}

func TestReplay_PlaysToTheEndAndStops(t *testing.T) {
	d := newReplayDriver(t, demoRecording(), 100, 30)
	d.keys(" ")
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; d.r.Playing() && i < 1000; i++ {
		at = at.Add(maxFrame)
		d.msg(replayFrameMsg{Gen: d.frames[len(d.frames)-1].Gen, At: at})
	}
	if n, total := d.r.Position(); d.r.Playing() || n != total {
		t.Errorf("want stopped at the end, have playing=%v at %d of %d", d.r.Playing(), n, total)
	}
	d.keys(" ") // from the end, play starts again
	if n, _ := d.r.Position(); !d.r.Playing() || n != 0 {
		t.Errorf("want playing from 0, have playing=%v at %d", d.r.Playing(), n)
	}
}

func TestReplay_SpeedScalesThePace(t *testing.T) {
	d := newReplayDriver(t, demoRecording(), 100, 30)
	d.keys("]", "]")
	if want, have := 4.0, d.r.Speed(); have != want {
		t.Errorf("want %v×, have %v×", want, have)
	}
	d.keys(" ")
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	d.msg(replayFrameMsg{Gen: d.frames[0].Gen, At: start})
	first, _ := d.r.Position()
	d.msg(replayFrameMsg{Gen: d.frames[0].Gen, At: start.Add(2 * time.Millisecond)})
	if want, have := first+8, func() int { n, _ := d.r.Position(); return n }(); have != want {
		t.Errorf("want 8 events in 2ms at 4×, have position %d (from %d)", have, first)
	}
	for range 10 {
		d.keys("[")
	}
	if want, have := 0.25, d.r.Speed(); have != want {
		t.Errorf("want the slowest speed %v×, have %v×", want, have)
	}
	if !strings.Contains(d.view(), "0.25×") {
		t.Errorf("want the bar to show 0.25×, have\n%s", d.view())
	}
}

func TestReplay_StepsByChange(t *testing.T) {
	d := newReplayDriver(t, demoRecording(), 100, 30)
	var starts []int
	for {
		before, total := d.r.Position()
		d.keys(">")
		n, _ := d.r.Position()
		if n == before || n == total {
			break
		}
		starts = append(starts, n)
	}
	if want := 5; len(starts) != want {
		t.Fatalf("want %d change starts, have %v", want, starts)
	}
	d.r.moveTo(starts[3] + 2)
	d.keys("<")
	if want, have := starts[3], func() int { n, _ := d.r.Position(); return n }(); have != want {
		t.Errorf("want back at the start of the change shown, %d, have %d", want, have)
	}
	d.keys("<")
	if want, have := starts[2], func() int { n, _ := d.r.Position(); return n }(); have != want {
		t.Errorf("want back at the start of the change before, %d, have %d", want, have)
	}
}

func TestReplay_Seek(t *testing.T) {
	total := len(demoRecords())
	tests := map[string]struct {
		line string
		want int
		err  string
	}{
		"event":     {line: "seek 10", want: 10},
		"percent":   {line: "seek 50%", want: total / 2},
		"change":    {line: "seek p2#1", want: changeStart(t, "p2", 1)},
		"time":      {line: "seek 3ms", want: 4},
		"end":       {line: "seek 100%", want: total},
		"past end":  {line: "seek 9999", want: 0, err: "past the end"},
		"no change": {line: "seek p9#1", want: 0, err: "does not start in this recording"},
		"malformed": {line: "seek soon", want: 0, err: "not an event number"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			d := newReplayDriver(t, demoRecording(), 100, 30)
			d.command(tc.line)
			if have, _ := d.r.Position(); have != tc.want {
				t.Errorf("want position %d, have %d", tc.want, have)
			}
			status := d.r.inner.status
			if tc.err != "" && (status.Err == nil || !strings.Contains(status.Err.Error(), tc.err)) {
				t.Errorf("want an error saying %q, have %+v", tc.err, status)
			}
			if tc.err == "" && status.Err != nil {
				t.Errorf("want no error, have %v", status.Err)
			}
		})
	}
}

// changeStart is the position that shows the start of a demo change.
func changeStart(t *testing.T, proposer string, id int) int {
	t.Helper()
	for i, r := range demoRecords() {
		if m, ok := trace.MetaOf(r.Event); ok && shortProposer(m.Proposer) == proposer && int(m.Change) == id {
			return i + 1
		}
	}
	t.Fatalf("no change %s#%d in the demo", proposer, id)
	return 0
}

func TestReplay_IsReadOnly(t *testing.T) {
	d := newReplayDriver(t, demoRecording(), 100, 30)
	d.command("set k 1")
	if err := d.r.inner.status.Err; !errors.Is(err, ErrReadOnly) {
		t.Errorf("want a read-only refusal, have %v", err)
	}
	if !strings.Contains(d.view(), "REPLAY of run.jsonl") {
		t.Errorf("want the title to say this is a replay, have\n%s", d.view())
	}
}

func TestReplay_ShowsTheRecordedCluster(t *testing.T) {
	recs := append(demoRecords(), trace.Record{Seq: 99, Event: cluster.NodeStateChanged{Node: "a2", State: cluster.NodeDown}})
	d := newReplayDriver(t, Recording{Name: "x", Records: recs}, 160, 48)
	d.keys("$")
	snap := d.r.inner.cluster.snap
	if len(snap.Nodes) != 3 || snap.Nodes[1].State != "down" || len(snap.Proposers) != 2 {
		t.Errorf("want a1-a3 with a2 down and two proposers, have %+v", snap)
	}
	d.keys("left")
	if state := d.r.inner.cluster.snap.Nodes[1].State; state != "up" {
		t.Errorf("want a2 up again one event back, have %s", state)
	}
}

func TestLoadRecording_DamagedFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run.jsonl")
	var b strings.Builder
	recs := demoRecords()
	for i, r := range recs[:6] {
		if i == 3 {
			b.WriteString("{\"seq\":4,\"kind\":\"paxos.nope\",\"event\":{}}\n")
		}
		line, err := r.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		b.Write(append(line, '\n'))
	}
	line, _ := recs[6].MarshalJSON()
	b.Write(line[:len(line)-9]) // the recording was cut off mid-line
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	rec, err := LoadRecording(path)
	if err != nil {
		t.Fatal(err)
	}
	if want, have := 6, len(rec.Records); have != want {
		t.Errorf("want %d records, have %d", want, have)
	}
	d := newReplayDriver(t, rec, 160, 48)
	want := `line 4: unknown event kind "paxos.nope"`
	if !strings.Contains(d.view(), want) || !strings.Contains(rec.ProblemText(), "and 1 other bad line") {
		t.Errorf("want the screen to say %q and 1 more, have %q\n%s", want, rec.ProblemText(), d.view())
	}
	d.keys("$")
	if n, _ := d.r.Position(); n != 6 {
		t.Errorf("want the 6 readable records replayed, have %d", n)
	}
}

func TestLoadRecording_Unreadable(t *testing.T) {
	dir := t.TempDir()
	empty, garbage := filepath.Join(dir, "empty"), filepath.Join(dir, "garbage")
	os.WriteFile(empty, nil, 0o644)
	os.WriteFile(garbage, []byte("hello\n"), 0o644)
	tests := map[string]struct{ path, want string }{
		"empty":   {path: empty, want: "is empty"},
		"garbage": {path: garbage, want: "line 1: not a trace record"},
		"missing": {path: filepath.Join(dir, "nope"), want: "no such file"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := LoadRecording(tc.path)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("want an error saying %q, have %v", tc.want, err)
			}
		})
	}
}

func TestGolden_Replay(t *testing.T) {
	screens := map[string][]string{
		"start":   nil,
		"middle":  {">", ">", ">", "right", "right"},
		"end":     {"$"},
		"log_tab": {"$", "5"},
	}
	for _, sz := range [][2]int{{80, 24}, {160, 48}} {
		for name, keys := range screens {
			t.Run(fmt.Sprintf("%s_%dx%d", name, sz[0], sz[1]), func(t *testing.T) {
				d := newReplayDriver(t, demoRecording(), sz[0], sz[1])
				d.keys(keys...)
				golden.RequireEqual(t, []byte(d.view()))
			})
		}
	}
}
