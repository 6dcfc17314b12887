package tui

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
)

// fakeDemo plays parts set in advance and records which were played.
type fakeDemo struct {
	steps int
	parts map[[2]int]DemoPart

	mu     sync.Mutex
	played [][2]int
}

func newFakeDemo() *fakeDemo {
	return &fakeDemo{steps: 2, parts: map[[2]int]DemoPart{
		{0, 0}: {Title: "Prepare", Text: "  p1 sends prepare to every acceptor.\n  ? Will they promise?", Question: "Will they promise?", Answer: "yes"},
		{0, 1}: {Title: "Prepare", Text: "$ set k 1\n  → set k 1 → 1 (version 1)\n  ✓ expect round trips 2"},
		{1, 0}: {Title: "Kill a2", Text: "$ kill a2\n  → kill a2: done", Err: errors.New("t.demo:9: expect node a2 down: want down, have up")},
	}}
}

func (f *fakeDemo) Title() string   { return "A fake demo" }
func (f *fakeDemo) Summary() string { return "Two steps, one question." }
func (f *fakeDemo) Steps() int      { return f.steps }

func (f *fakeDemo) Play(step, part int) DemoPart {
	f.mu.Lock()
	f.played = append(f.played, [2]int{step, part})
	f.mu.Unlock()
	p := f.parts[[2]int{step, part}]
	p.Step, p.Part = step, part
	return p
}

func (f *fakeDemo) history() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return fmt.Sprint(f.played)
}

func newDemoDriver(t *testing.T, w, h int) (*driver, *fakeDemo) {
	te := goldenEnv(t)
	fd := newFakeDemo()
	te.env.Demo = fd
	return newDriver(t, te.env, w, h), fd
}

func wantView(t *testing.T, d *driver, parts ...string) {
	t.Helper()
	v := ansi.Strip(d.m.View())
	for _, p := range parts {
		if !strings.Contains(v, p) {
			t.Errorf("want the view to show %q, have\n%s", p, v)
		}
	}
}

func TestDemoPanel_NextAskBackReplay(t *testing.T) {
	d, fd := newDemoDriver(t, 160, 48)
	wantView(t, d, "A fake demo", "Two steps, one question.", "Press N to start")

	d.keys("N")
	wantView(t, d, "step 1 of 2: Prepare", "? Will they promise?", "your prediction? y or n")
	d.keys("N", "B")
	if want, have := "[[0 0]]", fd.history(); want != have {
		t.Fatalf("want N and B ignored while a question waits, have played %s", have)
	}

	d.keys("y")
	wantView(t, d, "you said yes; the answer is yes: right", "✓ expect round trips 2", "N: next step")
	if want, have := "[[0 0] [0 1]]", fd.history(); want != have {
		t.Fatalf("want the rest of the step played after the answer, have %s", have)
	}

	d.keys("N")
	wantView(t, d, "step 2 of 2: Kill a2", "✗ t.demo:9: expect node a2 down", "the end")

	d.keys("B")
	wantView(t, d, "step 1 of 2: Prepare", "you said yes", "N: forward")
	d.keys("N")
	wantView(t, d, "step 2 of 2: Kill a2")
	if want, have := "[[0 0] [0 1] [1 0]]", fd.history(); want != have {
		t.Fatalf("want back and forward to show pages without playing, have %s", have)
	}

	d.keys("A")
	if want, have := "[[0 0] [0 1] [1 0] [1 0]]", fd.history(); want != have {
		t.Fatalf("want A to replay the step shown, have %s", have)
	}
	if n := strings.Count(ansi.Strip(d.m.View()), "$ kill a2"); n != 1 {
		t.Errorf("want the replayed step shown once, have it %d times", n)
	}
}

func TestDemoPanel_WrongPrediction(t *testing.T) {
	d, _ := newDemoDriver(t, 160, 48)
	d.keys("N", "n")
	wantView(t, d, "you said no; the answer is yes: not quite")
}

func TestDemoPanel_CommandLineStaysLive(t *testing.T) {
	d, _ := newDemoDriver(t, 80, 24)
	d.keys("N")
	d.command("kill a3")
	wantStatus(t, d, "kill a3: done")
	wantView(t, d, "your prediction? y or n")
}

func TestDemoHeight_QuarterOfTheScreen(t *testing.T) {
	tests := map[string]struct{ h, want int }{
		"small":  {24, 7},
		"medium": {40, 10},
		"large":  {48, 12},
		"huge":   {100, 12},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if have := demoHeight(tc.h); tc.want != have {
				t.Errorf("want %d, have %d", tc.want, have)
			}
		})
	}
}

func TestGolden_DemoScreens(t *testing.T) {
	screens := map[string][]string{
		"intro":    nil,
		"question": {"N"},
		"answered": {"N", "y"},
		"failed":   {"N", "y", "N"},
		"back":     {"N", "y", "N", "B"},
	}
	for _, sz := range [][2]int{{80, 24}, {160, 48}} {
		for name, keys := range screens {
			t.Run(fmt.Sprintf("%s_%dx%d", name, sz[0], sz[1]), func(t *testing.T) {
				d, _ := newDemoDriver(t, sz[0], sz[1])
				d.keys(keys...)
				golden.RequireEqual(t, []byte(ansi.Strip(d.m.View())))
			})
		}
	}
}
