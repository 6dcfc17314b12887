package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// runCheckCommand runs `gryadka check args…` and returns its exit code and
// output.
func runCheckCommand(t *testing.T, args ...string) (int, string) {
	t.Helper()
	root := &cobra.Command{Use: "gryadka", Args: UsageArgs(cobra.NoArgs)}
	root.AddCommand(NewCheckCommand())
	var stdout, stderr bytes.Buffer
	code := Run(root, append([]string{"check"}, args...), &stdout, &stderr)
	return code, stdout.String() + stderr.String()
}

func TestCheckCommand_PassesOnAHealthyCluster(t *testing.T) {
	code, out := runCheckCommand(t, "--duration", "3s", "--seed", "3", "--html", filepath.Join(t.TempDir(), "h.html"))
	t.Log(out)
	if code != ExitOK {
		t.Fatalf("want exit %d, have %d", ExitOK, code)
	}
	for _, want := range []string{"replay with --seed 3", "operations:", "faults:", "unknown outcome", "checker:", "verdict:     linearizable"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
}

// A negative control is a broken set-up; whether a short run meets the
// schedule that exposes it depends on the machine's speed, so each control
// gets a few seeds, and must be caught within them.
func TestCheckCommand_CatchesNegativeControls(t *testing.T) {
	for _, negative := range []string{"quorum", "wipe", "indefinite"} {
		t.Run(negative, func(t *testing.T) {
			html := filepath.Join(t.TempDir(), "h.html")
			var code int
			var out string
			for seed := 1; seed <= 4; seed++ {
				code, out = runCheckCommand(t, "--duration", "3s", "--seed", strconv.Itoa(seed), "--negative", negative, "--html", html)
				t.Log(out)
				if code == ExitOK {
					break
				}
			}
			if code != ExitOK {
				t.Fatalf("want exit %d (violation caught) within 4 seeds, have %d", ExitOK, code)
			}
			if !strings.Contains(out, "caught") {
				t.Errorf("output does not say the control was caught")
			}
			if strings.Contains(out, "VIOLATION") {
				if _, err := os.Stat(html); err != nil {
					t.Errorf("want the visualization written on a violation: %v", err)
				}
			}
		})
	}
}

func TestCheckCommand_RejectsBadFlags(t *testing.T) {
	tests := map[string][]string{
		"unknown negative":   {"--negative", "paxos"},
		"unknown backend":    {"--backend", "cloud"},
		"zero duration":      {"--duration", "0s"},
		"too many per key":   {"--keys", "1", "--clients", "9"},
		"positional":         {"extra"},
		"zero check timeout": {"--check-timeout", "0s"},
	}
	for name, args := range tests {
		t.Run(name, func(t *testing.T) {
			if code, out := runCheckCommand(t, args...); code != ExitUsage {
				t.Errorf("want exit %d, have %d: %s", ExitUsage, code, out)
			}
		})
	}
}
