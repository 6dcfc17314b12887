package check

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// Caught reports whether the run found something wrong: a violation, a
// broken invariant on the acceptors, or keys that did not end as written.
func (r *Report) Caught() bool {
	return r.Result.Verdict == Violation || len(r.Audit) > 0 || len(r.Final) > 0
}

// Passed reports whether the run did what it was for: a normal run must
// be verified linearizable, with a clean audit and every fault applied and
// healed; a negative control must be caught.
func (r *Report) Passed() bool {
	if r.Options.Negative != NegativeNone {
		return r.Caught()
	}
	for _, f := range r.Faults {
		if f.Err != nil {
			return false
		}
	}
	return r.Result.Verdict == Linearizable && !r.Caught()
}

// Write prints the report for people.
func (r *Report) Write(w io.Writer) {
	o := r.Options
	fmt.Fprintf(w, "gryadka check: %s backend, %d nodes, %d proposers, %d clients on %d keys, seed %d, %v",
		o.Backend, o.Nodes, o.Proposers, o.Workload.Clients, o.Workload.Keys, o.Seed, o.Duration)
	if o.Negative != NegativeNone {
		fmt.Fprintf(w, ", negative control %q", o.Negative)
	}
	fmt.Fprintln(w)
	res := r.Result
	fmt.Fprintf(w, "operations:  %d checked, %d with unknown outcome (%.1f%%)\n", res.Ops, res.Unknown, 100*res.UnknownShare())
	fmt.Fprintf(w, "faults:      %d injected (%s)\n", len(r.Faults), countFaults(r.Faults))
	for _, f := range r.Faults {
		line := fmt.Sprintf("  %-40s longest gap without a successful op %v", f.Fault, f.Gap.Round(time.Millisecond))
		if f.Err != nil {
			line += fmt.Sprintf(" — ERROR: %v", f.Err)
		}
		fmt.Fprintln(w, line)
	}
	fmt.Fprintf(w, "checker:     %v for %d keys", res.Elapsed.Round(time.Millisecond), res.Keys)
	if len(res.Bad) > 0 {
		fmt.Fprintf(w, ", violation on %s", strings.Join(res.Bad, ", "))
	}
	if len(res.Slow) > 0 {
		fmt.Fprintf(w, ", out of time on %s", strings.Join(res.Slow, ", "))
	}
	fmt.Fprintln(w)
	audit := "clean (promise >= accepted, one value per ballot, no TTLs)"
	if len(r.Audit) > 0 {
		audit = fmt.Sprintf("%d problems:\n  %s", len(r.Audit), strings.Join(r.Audit, "\n  "))
	}
	fmt.Fprintf(w, "audit:       %s\n", audit)
	for _, p := range r.Final {
		fmt.Fprintf(w, "final:       %s\n", p)
	}
	if r.HTML != "" {
		fmt.Fprintf(w, "history:     %s (porcupine visualization, faults marked)\n", r.HTML)
	}
	fmt.Fprintf(w, "verdict:     %s\n", r.Verdict())
}

// Verdict sums the run up in one line, "linearizable".
func (r *Report) Verdict() string {
	switch {
	case r.Options.Negative != NegativeNone && r.Caught():
		return fmt.Sprintf("negative control %q caught (%s) — as it must be", r.Options.Negative, r.Result.Verdict)
	case r.Options.Negative != NegativeNone:
		return fmt.Sprintf("negative control %q NOT caught: the check missed a broken set-up", r.Options.Negative)
	case r.Passed():
		return "linearizable"
	case r.Result.Verdict == NotVerified:
		return "NOT VERIFIED: the checker ran out of time; this is not a pass"
	case r.Caught():
		return "VIOLATION"
	}
	return "FAILED: the nemesis could not apply or heal every fault"
}

func countFaults(faults []FaultReport) string {
	n := map[FaultKind]int{}
	for _, f := range faults {
		n[f.Fault.Kind]++
	}
	var parts []string
	for k := FaultKill; k <= FaultReplyLoss; k++ {
		if n[k] > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", k, n[k]))
		}
	}
	return strings.Join(parts, ", ")
}
