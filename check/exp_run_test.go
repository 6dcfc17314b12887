package check

import (
	"encoding/json"
	"os"
	"context"
	"testing"
	"time"
)

func TestExpRun(t *testing.T) {
	opts, _ := Options{Duration: 10 * time.Second, Backend: "embedded", Seed: 11}.withDefaults()
	l, err := startLocal(t.Context(), opts)
	if err != nil { t.Fatal(err) }
	defer l.close()
	plan, _ := NewPlan(PlanOptions{Seed: 11, Duration: 10*time.Second, Acceptors: l.names, Proposers: 3})
	rec := NewRecorder()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	done := make(chan struct{})
	go func() { runClients(ctx, opts.Workload, 11, "x", l.stores, rec); close(done) }()
	nemesis(ctx, l, plan, rec, nil)
	<-done
	cancel()
	h := rec.History()
	raw := map[string][]Op{}
	for _, op := range h { raw[op.Input.Key] = append(raw[op.Input.Key], op) }
	for key, ops := range raw {
		p, unk := prepare(ops)
		counts := map[string]int{}
		for _, op := range p {
			o := op.Output.(Output)
			if o.Outcome == OutcomeUnknown { counts[op.Input.(Input).Kind.String()+" "+[]string{"open","incr","set","cas","del"}[o.credit]]++ }
		}
		start := time.Now()
		res := Check(ops, 20*time.Second)
		t.Log(key, len(p), unk, counts, res.Verdict, time.Since(start))
		if time.Since(start) > time.Second {
			b, _ := json.Marshal(ops)
			os.WriteFile("/tmp/slow.json", b, 0o644)
		}
	}
}
