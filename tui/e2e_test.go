package tui

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// tmux drives a terminal session as a person would.
type tmux struct {
	t       *testing.T
	session string
}

func (x *tmux) run(args ...string) string {
	x.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", x.session}, args...)...).CombinedOutput()
	if err != nil {
		x.t.Fatalf("tmux %s: %v: %s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func (x *tmux) screen() string { return x.run("capture-pane", "-p", "-t", x.session) }

// waitFor polls the screen until it shows want.
func (x *tmux) waitFor(want string) string {
	x.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		s := x.screen()
		if strings.Contains(s, want) {
			return s
		}
		if time.Now().After(deadline) {
			x.t.Fatalf("want the screen to show %q, have\n%s", want, s)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (x *tmux) typeLine(line string) { x.run("send-keys", "-t", x.session, line, "Enter") }

func (x *tmux) alive() bool {
	return exec.Command("tmux", "-L", x.session, "has-session", "-t", x.session).Run() == nil
}

func TestE2E_DashboardInTmux(t *testing.T) {
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
	backend := "embedded"
	if _, err := exec.LookPath("redis-server"); err == nil {
		backend = "process"
	}
	x := &tmux{t: t, session: "gryadka-e2e-" + filepath.Base(dir)}
	x.run("new-session", "-d", "-s", x.session, "-x", "100", "-y", "30",
		bin+" --backend "+backend+" --dir "+filepath.Join(dir, "data"))
	t.Cleanup(func() { exec.Command("tmux", "-L", x.session, "kill-server").Run() })

	s := x.waitFor("3/3 nodes up")
	addrs := regexp.MustCompile(`127\.0\.0\.1:\d+`).FindAllString(s, -1)
	if len(addrs) != 3 {
		t.Fatalf("want three node addresses on the screen, have %q in\n%s", addrs, s)
	}
	x.typeLine(":set k 1")
	x.waitFor("set k 1 → 1 (version 1)")
	x.typeLine(":kill a2")
	x.waitFor("a2    ✗ down")
	x.waitFor("2/3 nodes up")
	x.typeLine(":incr k")
	s = x.waitFor("incr k → 2 (version 2)")
	if !strings.Contains(s, "accept quorum won: 2 yes") {
		t.Errorf("want the commit by two of three in the protocol panel, have\n%s", s)
	}
	x.typeLine(":restart a2")
	x.waitFor("a2    ● up")
	x.waitFor("3/3 nodes up")
	x.run("send-keys", "-t", x.session, "q")

	deadline := time.Now().Add(10 * time.Second)
	for x.alive() && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	if x.alive() {
		t.Fatalf("want the dashboard to exit on q, have\n%s", x.screen())
	}
	if out, _ := exec.Command("pgrep", "-f", "^"+bin).Output(); len(out) > 0 {
		t.Errorf("want no dashboard process left, have pids %s", out)
	}
	for _, a := range addrs {
		if c, err := net.DialTimeout("tcp", a, time.Second); err == nil {
			c.Close()
			t.Errorf("want node %s stopped, but it accepts connections", a)
		}
	}
}
