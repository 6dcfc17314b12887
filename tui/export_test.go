package tui

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gryadka/gryadka/trace"
)

func TestParseExport_Forms(t *testing.T) {
	tests := map[string]struct {
		line string
		want exportCommand
		err  string
	}{
		"mermaid":     {line: "export mermaid a.md", want: exportCommand{Format: ExportMermaid, File: "a.md"}},
		"change":      {line: "export text a.txt p1#3", want: exportCommand{Format: ExportText, File: "a.txt", Select: "p1#3"}},
		"range":       {line: "export text a.txt 10-20 --force", want: exportCommand{Format: ExportText, File: "a.txt", Select: "10-20", Force: true}},
		"history":     {line: "export history h.json", want: exportCommand{Format: exportHistory, File: "h.json"}},
		"no file":     {line: "export mermaid", err: "expected a format, a file"},
		"format":      {line: "export svg a.svg", err: `"svg" is not a format`},
		"bad range":   {line: "export text a.txt 20-10", err: "is not a range"},
		"bad change":  {line: "export text a.txt p1", err: "neither a change"},
		"history sel": {line: "export history h.json p1#3", err: "takes no change"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			have, err := parseCommand(tc.line)
			if tc.err != "" {
				if !errors.Is(err, errUsage) || !strings.Contains(err.Error(), tc.err) {
					t.Errorf("want a usage error saying %q, have %v", tc.err, err)
				}
				return
			}
			if err != nil || have != tc.want {
				t.Errorf("want %+v, have %+v (%v)", tc.want, have, err)
			}
		})
	}
}

func TestModel_ExportWritesTheKeptTrace(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	d := newDriver(t, newTestEnv(t).env, 100, 30)
	recs := demoRecords()
	d.msg(traceBatchMsg{Records: recs})

	d.command("export mermaid all.md")
	wantStatus(t, d, "wrote 67 events of mermaid to "+filepath.Join(dir, "all.md"))
	wantFile(t, filepath.Join(dir, "all.md"), trace.Mermaid(recs))

	d.command("export mermaid all.md")
	wantStatus(t, d, "already exists: all.md; add --force")
	d.command("export text all.md --force")
	wantFile(t, filepath.Join(dir, "all.md"), trace.Sequence(recs))

	change, err := trace.SelectChange(recs, trace.ChangeRef{Proposer: "p2", Change: 1})
	if err != nil {
		t.Fatal(err)
	}
	d.command("export text change.txt p2#1")
	wantFile(t, filepath.Join(dir, "change.txt"), trace.Sequence(change))

	d.command("export text range.txt 3-5")
	wantFile(t, filepath.Join(dir, "range.txt"), trace.Sequence(recs[2:5]))

	d.command("export text none.txt 900-990")
	wantStatus(t, d, "nothing to export")
	d.command("export text x.txt #1")
	wantStatus(t, d, "change 1 was made by p1.0 and p2.0")
	d.command("export history h.json")
	wantStatus(t, d, "no workload runs")
}

func TestReplay_ExportWritesWhatWasShown(t *testing.T) {
	dir := t.TempDir()
	d := newReplayDriver(t, demoRecording(), 100, 30)
	d.r.moveTo(10)
	shown := filepath.Join(dir, "shown.md")
	d.command("export mermaid " + shown)
	wantFile(t, shown, trace.Mermaid(demoRecords()[:10]))
	// A change is taken from the whole recording, even past the position.
	change, _ := trace.SelectChange(demoRecords(), trace.ChangeRef{Proposer: "p2", Change: 2})
	d.command("export mermaid " + filepath.Join(dir, "c.md") + " p2#2")
	wantFile(t, filepath.Join(dir, "c.md"), trace.Mermaid(change))
	d.command("export history " + filepath.Join(dir, "h.json"))
	if err := d.r.inner.status.Err; err == nil || !strings.Contains(err.Error(), "not a workload's history") {
		t.Errorf("want history refused in a replay, have %v", err)
	}
}

func wantFile(t *testing.T, path, want string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if have := string(data); have != want {
		t.Errorf("%s: want\n%s\nhave\n%s", path, want, have)
	}
}

func TestModel_ExportHistoryOfTheWorkload(t *testing.T) {
	path := filepath.Join(t.TempDir(), "h.json")
	d := newDriver(t, newTestEnv(t).env, 160, 48)
	d.command("load start 2")
	wantStatus(t, d, "load started: 2 clients")
	for d.m.work.seg.Load().rec.Now() < int64(100*time.Millisecond) {
		time.Sleep(10 * time.Millisecond)
	}
	d.command("export history " + path)
	wantStatus(t, d, "of the current workload segment to "+path)
	d.command("load stop")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var ops map[string][]struct {
		ClientId int
		Input    struct{ Kind, Key string }
	}
	if err := json.Unmarshal(data, &ops); err != nil || len(ops) == 0 {
		t.Fatalf("want porcupine operations per key, have %v:\n%s", err, data)
	}
	for key, list := range ops {
		if len(list) == 0 || list[0].Input.Key != key || !strings.HasPrefix(key, "load:") {
			t.Errorf("want the workload's operations on %s, have %+v", key, list)
		}
	}
}
