package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckCommand_WritesHistoryAndHTML(t *testing.T) {
	dir := t.TempDir()
	history, html := filepath.Join(dir, "h.json"), filepath.Join(dir, "h.html")
	code, out := runCheckCommand(t, "--duration", "1s", "--seed", "5", "--history", history, "--html", html)
	if code != ExitOK {
		t.Fatalf("want exit %d, have %d:\n%s", ExitOK, code, out)
	}
	data, err := os.ReadFile(history)
	if err != nil {
		t.Fatal(err)
	}
	var ops map[string][]struct {
		ClientId     int
		Call, Return int64
		Input        struct{ Kind, Key string }
		Output       struct{ Outcome string }
	}
	if err := json.Unmarshal(data, &ops); err != nil {
		t.Fatalf("want porcupine JSON, have %v", err)
	}
	n := 0
	for key, list := range ops {
		for _, op := range list {
			if op.Input.Key != key || op.Return < op.Call || op.Output.Outcome == "" {
				t.Fatalf("malformed operation on %s: %+v", key, op)
			}
			n++
		}
	}
	if n == 0 || !strings.Contains(out, "as porcupine JSON") {
		t.Errorf("want operations written and named in the report, have %d:\n%s", n, out)
	}
	page, err := os.ReadFile(html)
	if err != nil || !strings.Contains(string(page), "<html") {
		t.Errorf("want the visualization written though the run passed, have %v", err)
	}
	if !strings.Contains(out, html) {
		t.Errorf("want the report to name %s:\n%s", html, out)
	}
}
