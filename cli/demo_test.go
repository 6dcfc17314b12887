package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runDemoCommand(t *testing.T, args ...string) (int, string) {
	t.Helper()
	var out bytes.Buffer
	code := Run(NewRootCommand(), append([]string{"demo"}, args...), &out, &out)
	return code, out.String()
}

func TestDemoCommand_Lists(t *testing.T) {
	code, out := runDemoCommand(t)
	if code != ExitOK {
		t.Fatalf("want exit %d, have %d: %s", ExitOK, code, out)
	}
	for _, name := range []string{"first-change", "one-rtt", "duel", "crash", "partition", "lost-replies",
		"unsafe-quorums", "membership", "delete-gc"} {
		if !strings.Contains(out, name+" ") {
			t.Errorf("want %s listed, have\n%s", name, out)
		}
	}
}

func TestDemoCommand_Headless(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	passes := write("passes.demo", "demo mine \"Mine\"\nstep \"one\"\ndo set k 1\nexpect value k = 1\n")
	fails := write("fails.demo", "demo mine \"Mine\"\nstep \"one\"\ndo set k 1\nexpect value k = 2\n")
	broken := write("broken.demo", "demo mine\n")
	tests := map[string]struct {
		args []string
		code int
		says string
	}{
		"built-in":       {[]string{"crash", "--headless"}, ExitOK, "demo crash passed in"},
		"own file":       {[]string{passes, "--headless"}, ExitOK, "✓ expect value k = 1"},
		"checkpoint":     {[]string{fails, "--headless"}, ExitFailed, "fails.demo:4: demos: checkpoint failed: expect value k = 2: want 2, have 1"},
		"script mistake": {[]string{broken, "--headless"}, ExitUsage, "broken.demo:1: demo needs a title in quotes"},
		"no such demo":   {[]string{"nosuch", "--headless"}, ExitUsage, `"nosuch" is neither a built-in demo`},
		"bad backend":    {[]string{"crash", "--headless", "--backend", "cloud"}, ExitUsage, "--backend"},
		"two arguments":  {[]string{"crash", "duel"}, ExitUsage, "accepts at most 1 arg"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			code, out := runDemoCommand(t, tc.args...)
			if code != tc.code || !strings.Contains(out, tc.says) {
				t.Errorf("want exit %d saying %q, have exit %d:\n%s", tc.code, tc.says, code, out)
			}
		})
	}
}
