package demos

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/gryadka/gryadka/check"
	"github.com/gryadka/gryadka/kv"
	"github.com/gryadka/gryadka/paxos"
	"github.com/gryadka/gryadka/trace"
	"github.com/gryadka/gryadka/tui"
)

// checkTimeout bounds the linearizability check of expect checker, and
// readTimeout the reads of the nodes.
const (
	checkTimeout = 10 * time.Second
	readTimeout  = 5 * time.Second
)

// expect checks a checkpoint and explains what it found when it fails.
func (r *Runner) expect(c Check) error {
	switch c.Kind {
	case CheckValue:
		have, err := r.value(c.Subject)
		if err != nil {
			return err
		}
		return compare(wantValue(c.Want), have)
	case CheckNode:
		return r.nodeState(c.Subject, c.Want)
	case CheckLastChange:
		if r.last == "" {
			return fmt.Errorf("no change has run yet")
		}
		return compare(c.Want, string(r.last))
	case CheckRoundTrips:
		return r.roundTrips(c.Want)
	case CheckTrace:
		r.drain(traceQuiet)
		for _, rec := range r.records {
			if strings.Contains(strings.ToLower(trace.Format(rec)), strings.ToLower(c.Want)) {
				return nil
			}
		}
		return fmt.Errorf("no line of this step's trace contains %q", c.Want)
	case CheckOutput:
		if !strings.Contains(strings.ToLower(r.lastOut), strings.ToLower(c.Want)) {
			return fmt.Errorf("the last command answered %q", r.lastOut)
		}
		return nil
	case CheckChecker:
		res := check.Check(r.hist.History(), checkTimeout)
		have := map[check.Verdict]string{check.Linearizable: "linearizable", check.Violation: "violation"}[res.Verdict]
		if have == "" {
			have = res.Verdict.String()
		}
		return compare(c.Want, have)
	}
	return fmt.Errorf("unknown checkpoint %s", c)
}

func compare(want, have string) error {
	if want != have {
		return fmt.Errorf("want %s, have %s", want, have)
	}
	return nil
}

// wantValue writes an expected value the way value shows one: absent,
// deleted, or JSON.
func wantValue(s string) string {
	if s == "absent" || s == "deleted" {
		return s
	}
	b, err := json.Marshal(kv.ParseValue(s))
	if err != nil {
		return s
	}
	return string(b)
}

// value returns the value of key that the next prepare would find: the
// one accepted with the highest ballot on the nodes that answer.
func (r *Runner) value(key string) (string, error) {
	if r.env.Nodes == nil {
		return "", fmt.Errorf("this cluster's nodes cannot be read")
	}
	ctx, cancel := context.WithTimeout(r.ctx, readTimeout)
	defer cancel()
	var best paxos.MemState
	answered := 0
	for _, n := range r.env.Nodes.List() {
		st, err := r.env.Nodes.Inspect(ctx, n.Name, key)
		if err != nil {
			continue
		}
		answered++
		if best.Accepted.Less(st.Accepted) {
			best = st
		}
	}
	if answered == 0 {
		return "", fmt.Errorf("no node answered")
	}
	if best.Accepted.IsZero() {
		return "absent", nil
	}
	e, err := kv.Decode(best.Value)
	switch {
	case err != nil:
		return "", fmt.Errorf("the value is not a gryadka value: %w", err)
	case e.Version == 0:
		return "absent", nil
	case e.Deleted:
		return "deleted", nil
	}
	b, err := json.Marshal(e.Value)
	return string(b), err
}

func (r *Runner) nodeState(name, want string) error {
	if r.env.Nodes == nil {
		return fmt.Errorf("this cluster has no nodes to look at")
	}
	var names []string
	for _, n := range r.env.Nodes.List() {
		if n.Name == name {
			return compare(want, n.State)
		}
		names = append(names, n.Name)
	}
	return fmt.Errorf("there is no node %q; the nodes are %s", name, strings.Join(names, ", "))
}

// roundTrips compares the round trips of the last change's last attempt.
func (r *Runner) roundTrips(want string) error {
	r.drain(traceQuiet)
	for i := len(r.records) - 1; i >= r.changeAt; i-- {
		if e, ok := r.records[i].Event.(paxos.ChangeFinished); ok {
			return compare(want, strconv.Itoa(e.RoundTrips))
		}
	}
	return fmt.Errorf("the last change has not finished an attempt")
}

// quorum sets the quorum sizes of every proposer.
func (r *Runner) quorum(x Stmt, w io.Writer) error {
	for _, cl := range r.ex.Clients() {
		lp, ok := cl.Proposer.(tui.LocalProposer)
		if !ok {
			return fmt.Errorf("%w: quorum: proposer %s runs in another process", ErrStatement, cl.Proposer.ID())
		}
		cfg := lp.P.Config()
		cfg.PrepareQuorum, cfg.AcceptQuorum, cfg.Unsafe = x.Prepare, x.Accept, x.Unsafe
		if err := lp.P.SetConfig(cfg); err != nil {
			return fmt.Errorf("%w: quorum: %w", ErrStatement, err)
		}
	}
	unsafe := ""
	if x.Unsafe {
		unsafe = " (unsafe: the quorums need not intersect)"
	}
	fmt.Fprintf(w, "  ⚙ prepare quorum %d, accept quorum %d%s\n", x.Prepare, x.Accept, unsafe)
	return nil
}
