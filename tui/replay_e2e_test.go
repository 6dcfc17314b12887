package tui

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gryadka/gryadka/trace"
)

func TestE2E_ReplayInTmux(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("tmux is missing")
		}
		t.Skip("tmux is missing")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "gryadka")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/gryadka/gryadka").CombinedOutput(); err != nil {
		t.Fatalf("build: %v: %s", err, out)
	}
	var b strings.Builder
	for _, r := range demoRecords() {
		line, err := r.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		b.Write(append(line, '\n'))
	}
	b.WriteString("{\"seq\":") // cut off, as a crash would leave it
	file := filepath.Join(dir, "run.jsonl")
	if err := os.WriteFile(file, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}

	x := &tmux{t: t, session: "gryadka-replay-" + filepath.Base(dir)}
	x.run("new-session", "-d", "-s", x.session, "-x", "120", "-y", "36", "-c", dir, bin+" replay "+file)
	t.Cleanup(func() { exec.Command("tmux", "-L", x.session, "kill-server").Run() })

	x.waitFor("REPLAY of run.jsonl")
	x.waitFor("line 68: not a trace record")
	x.waitFor("event 67/67") // played to the end at the recorded pace
	x.run("send-keys", "-t", x.session, "0", "Right", "Right")
	x.waitFor("event 2/67")
	x.run("send-keys", "-t", x.session, "Left")
	x.waitFor("event 1/67")
	at := changeStart(t, "p2", 1)
	x.typeLine(":seek p2#1")
	x.waitFor(fmt.Sprintf("at event %d of 67", at))
	x.typeLine(":export mermaid out.md")
	x.waitFor(fmt.Sprintf("wrote %d events of mermaid to %s", at, filepath.Join(dir, "out.md")))
	data, err := os.ReadFile(filepath.Join(dir, "out.md"))
	if err != nil || string(data) != trace.Mermaid(demoRecords()[:at]) {
		t.Errorf("want the %d events shown as Mermaid, have %v:\n%s", at, err, data)
	}
	x.typeLine(":set k 1")
	x.waitFor("read-only")
	x.run("send-keys", "-t", x.session, "q")
	deadline := time.Now().Add(10 * time.Second)
	for x.alive() && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	if x.alive() {
		t.Fatalf("want the replay to exit on q, have\n%s", x.screen())
	}
}
