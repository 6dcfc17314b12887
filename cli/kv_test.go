package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"testing"

	"github.com/alicebob/miniredis/v2"
	"github.com/spf13/cobra"

	"github.com/gryadka/gryadka/cluster"
	"github.com/gryadka/gryadka/kv"
	"github.com/gryadka/gryadka/paxos"
)

// newRoot builds the command tree as the gryadka binary does.
func newRoot() *cobra.Command {
	g := &Globals{}
	root := &cobra.Command{Use: "gryadka", Args: UsageArgs(cobra.NoArgs), RunE: func(*cobra.Command, []string) error { return nil }}
	g.AddFlags(root.PersistentFlags())
	root.AddCommand(NewKVCommands(g)...)
	return root
}

// execute runs gryadka with args and returns what it printed and its exit code.
func execute(args ...string) (stdout, stderr string, code int) {
	var out, errOut bytes.Buffer
	code = Run(newRoot(), args, &out, &errOut)
	return out.String(), errOut.String(), code
}

// servers starts n embedded Redis servers and returns them with their
// addresses joined for --nodes.
func servers(t *testing.T, n int) ([]*miniredis.Miniredis, string) {
	t.Helper()
	var ms []*miniredis.Miniredis
	var addrs []string
	for range n {
		m := miniredis.RunT(t)
		ms = append(ms, m)
		addrs = append(addrs, m.Addr())
	}
	return ms, strings.Join(addrs, ",")
}

// closedAddr returns a loopback address nobody listens on.
func closedAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

type step struct {
	args   []string
	stdout string // exact
	stderr string // contained
	code   int
}

func runSteps(t *testing.T, nodes string, steps []step) {
	t.Helper()
	for _, s := range steps {
		args := append([]string{"--nodes", nodes}, s.args...)
		stdout, stderr, code := execute(args...)
		if code != s.code || stdout != s.stdout || !strings.Contains(stderr, s.stderr) {
			t.Fatalf("gryadka %s:\nwant code %d, stdout %q, stderr containing %q\nhave code %d, stdout %q, stderr %q",
				strings.Join(s.args, " "), s.code, s.stdout, s.stderr, code, stdout, stderr)
		}
	}
}

func TestKVCommands_Operations(t *testing.T) {
	_, nodes := servers(t, 3)
	runSteps(t, nodes, []step{
		{args: []string{"get", "k"}, stderr: "gryadka: get k: not found\n", code: ExitFailed},
		{args: []string{"set", "k", "41"}, stdout: "41 (version 1)\n"},
		{args: []string{"incr", "k"}, stdout: "42 (version 2)\n"},
		{args: []string{"incr", "k", "--", "-2"}, stdout: "40 (version 3)\n"},
		{args: []string{"get", "k"}, stdout: "40 (version 3)\n"},
		{args: []string{"get", "k", "--json"}, stdout: `{"key":"k","version":3,"value":40}` + "\n"},
		{args: []string{"cas", "k", "2", "0"}, code: ExitFailed,
			stderr: "gryadka: cas k: version mismatch: expected version 2, the key is at version 3\n"},
		{args: []string{"cas", "k", "3", "hello world"}, stdout: `"hello world" (version 4)` + "\n"},
		{args: []string{"incr", "k"}, code: ExitFailed, stderr: `incr k: not an integer: the value is "hello world" (version 4)`},
		{args: []string{"change", "k", "upper(x)", "+", `"!"`}, stdout: `"HELLO WORLD!" (version 5)` + "\n"},
		{args: []string{"set", "--string", "k", "7"}, stdout: `"7" (version 6)` + "\n"},
		{args: []string{"set", "k", `{"a":[1,true]}`}, stdout: `{"a":[1,true]} (version 7)` + "\n"},
		{args: []string{"del", "k"}, stdout: "deleted (version 8)\n"},
		{args: []string{"get", "k"}, stderr: "gryadka: get k: not found (deleted at version 8)\n", code: ExitFailed},
		{args: []string{"del", "k"}, stderr: "del k: not found (deleted at version 8)", code: ExitFailed},
		{args: []string{"change", "k", "x == nil ? 1 : x + 1"}, stdout: "1 (version 9)\n"},
		{args: []string{"change", "k", "x +"}, code: ExitUsage, stderr: "gryadka: change k: bad expression: unexpected token EOF"},
		{args: []string{"change", "k", "x + true"}, code: ExitFailed, stderr: "change k: expression failed: invalid operation"},
	})
}

func TestKVCommands_UsageErrors(t *testing.T) {
	_, nodes := servers(t, 1)
	tests := map[string]struct {
		args []string
		want string
	}{
		"missing key":     {args: []string{"--nodes", nodes, "get"}, want: "accepts 1 arg(s), received 0"},
		"extra argument":  {args: []string{"--nodes", nodes, "del", "a", "b"}, want: "accepts 1 arg(s), received 2"},
		"bad version":     {args: []string{"--nodes", nodes, "cas", "k", "v1", "x"}, want: `VERSION "v1": want a whole number`},
		"bad delta":       {args: []string{"--nodes", nodes, "incr", "k", "two"}, want: `DELTA "two": want a whole number`},
		"no nodes":        {args: []string{"get", "k"}, want: "no acceptors: give them with --nodes"},
		"both":            {args: []string{"--nodes", nodes, "--cluster", "c.json", "get", "k"}, want: "either --nodes or --cluster"},
		"bad address":     {args: []string{"--nodes", "localhost", "get", "k"}, want: `a1: address "localhost": want host:port`},
		"duplicate node":  {args: []string{"--nodes", nodes + "," + nodes, "get", "k"}, want: "a1 and a2 are both"},
		"bad proposer":    {args: []string{"--nodes", nodes, "--proposer", "p:1", "get", "k"}, want: `--proposer: paxos: proposer ID "p:1"`},
		"unknown flag":    {args: []string{"get", "k", "--color"}, want: "unknown flag: --color"},
		"unknown command": {args: []string{"gte", "k"}, want: `unknown command "gte"`},
		"missing file":    {args: []string{"--cluster", "/nonexistent/cluster.json", "get", "k"}, want: "--cluster: cluster: reading the cluster file"},
		"value too large": {args: []string{"--nodes", nodes, "set", "k", strings.Repeat("a", 2<<20)}, want: "value cannot be stored"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			stdout, stderr, code := execute(tt.args...)
			if code != ExitUsage || stdout != "" || !strings.Contains(stderr, tt.want) || !strings.Contains(stderr, "--help' for usage") {
				t.Errorf("want code %d and %q with a pointer to --help, have code %d, stdout %q, stderr %q",
					ExitUsage, tt.want, code, stdout, stderr)
			}
		})
	}
}

func TestKVCommands_Unavailable(t *testing.T) {
	ms, nodes := servers(t, 1)
	down := closedAddr(t) + "," + closedAddr(t)

	stdout, stderr, code := execute("--nodes", nodes+","+down, "set", "k", "1")
	if code != ExitUnavailable || stdout != "" || !strings.Contains(stderr, "cannot reach a quorum: 1 of the 3 prepare nodes answered, 2 needed") ||
		!strings.Contains(stderr, "a2: cannot use the Redis at") {
		t.Errorf("unreachable majority: have code %d, stdout %q, stderr %q", code, stdout, stderr)
	}

	// A node that answers every request with an error is a missing vote.
	more, _ := servers(t, 2)
	nodes = strings.Join([]string{ms[0].Addr(), more[0].Addr(), more[1].Addr()}, ",")
	more[0].Set("gryadka:k:k", "not a hash")
	more[1].Set("gryadka:k:k", "not a hash")
	stdout, stderr, code = execute("--nodes", nodes, "set", "k", "1")
	if code != ExitUnavailable || stdout != "" ||
		!strings.Contains(stderr, "set k: no quorum: quorum not reached: ") ||
		!strings.Contains(stderr, " of 3 prepare replies, 2 needed; nothing changed") {
		t.Errorf("lost quorum: have code %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

func TestKVCommands_MinorityDown(t *testing.T) {
	_, nodes := servers(t, 2)
	nodes += "," + closedAddr(t)
	runSteps(t, nodes, []step{
		{args: []string{"set", "k", "1"}, stdout: "1 (version 1)\n", stderr: "warning: unreachable, counted as a missing vote: a3"},
		{args: []string{"get", "k"}, stdout: "1 (version 1)\n"},
	})
}

func TestKVCommands_Trace(t *testing.T) {
	_, nodes := servers(t, 3)
	stdout, _, code := execute("--nodes", nodes, "--trace", "--proposer", "p7", "set", "k", "5")
	if code != ExitOK {
		t.Fatalf("want code 0, have %d", code)
	}
	for _, want := range []string{"p7", "a1", "a2", "a3", "set k", "prepare", "accept", "\n5 (version 1)\n"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("want %q in the trace, have:\n%s", want, stdout)
		}
	}
}

func TestKVExit_MapsErrors(t *testing.T) {
	op := func(o string, err error) error { return &kv.OpError{Op: o, Key: "k", Err: err} }
	conflict := &paxos.ConflictError{Phase: paxos.PhasePrepare, Acceptor: "a2",
		Proposed: paxos.Ballot{Counter: 3, Proposer: "cli.1"}, Seen: paxos.Ballot{Counter: 4, Proposer: "p2.1"}}
	lostAccept := &paxos.ChangeError{Key: "k", Phase: paxos.PhaseAccept, Indefinite: true,
		Err: fmt.Errorf("%w: 1 of 3 accept replies, 2 needed", paxos.ErrNoQuorum)}
	tests := map[string]struct {
		err  error
		code int
		want string
	}{
		"unknown outcome": {err: op("incr", fmt.Errorf("%w: %w", kv.ErrUnknownOutcome, lostAccept)), code: ExitUnknown,
			want: "incr k: outcome unknown: quorum not reached: 1 of 3 accept replies, 2 needed; the change reached some acceptors"},
		"conflict": {err: op("set", fmt.Errorf("%w (9 attempts): %w", kv.ErrConflict,
			&paxos.ChangeError{Key: "k", Phase: paxos.PhasePrepare, Err: conflict})), code: ExitConflict,
			want: "set k: other proposers kept winning the key (prepare 3:cli.1 refused by a2: it has seen ballot 4:p2.1); nothing changed"},
		"timeout": {err: op("get", &paxos.ChangeError{Key: "k", Phase: paxos.PhasePrepare, Err: context.DeadlineExceeded}),
			code: ExitUnavailable, want: "get k: no answer within 5s; nothing changed"},
		"mismatch":  {err: op("cas", &kv.MismatchError{Expected: 1, Current: 2}), code: ExitFailed, want: "cas k: version mismatch"},
		"corrupt":   {err: op("get", kv.ErrCorrupt), code: ExitFailed, want: "get k: stored state is not a gryadka value"},
		"bad value": {err: op("set", kv.ErrBadValue), code: ExitUsage, want: "set k: value cannot be stored"},
		"other":     {err: errors.New("boom"), code: ExitFailed, want: "boom"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			err := kvExit(tt.err, &Globals{Timeout: DefaultTimeout})
			if code := ExitCode(err); code != tt.code || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("want code %d and %q, have code %d and %q", tt.code, tt.want, code, err)
			}
		})
	}
}

func TestKVCommands_ClusterFile(t *testing.T) {
	ms, _ := servers(t, 3)
	f := cluster.File{Version: cluster.FileVersion, Identity: "c-42", Config: cluster.MajorityConfig("n1", "n2", "n3")}
	for i, m := range ms {
		f.Nodes = append(f.Nodes, cluster.FileNode{Name: fmt.Sprintf("n%d", i+1), Addr: m.Addr(), Backend: cluster.KindEmbedded})
		m.Set("gryadka:identity", "c-42")
	}
	path := filepath.Join(t.TempDir(), cluster.FileName)
	if err := cluster.WriteFile(path, f); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := execute("--cluster", path, "--trace", "set", "k", "1")
	if code != ExitOK || !strings.Contains(stdout, "n1    n2    n3") || !strings.HasSuffix(stdout, "\n1 (version 1)\n") {
		t.Fatalf("set: have code %d, stdout %q, stderr %q", code, stdout, stderr)
	}

	// Two nodes lose their data: they no longer hold the identity, and
	// refuse to vote rather than answer with empty state.
	ms[1].FlushAll()
	ms[2].FlushAll()
	stdout, stderr, code = execute("--cluster", path, "get", "k")
	if code != ExitUnavailable || stdout != "" || !strings.Contains(stderr, "n2, n3: the node has no identity yet") ||
		!strings.Contains(stderr, "get k: no quorum") {
		t.Errorf("get with two wiped nodes: have code %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}
