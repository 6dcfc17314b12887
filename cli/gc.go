package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/gryadka/gryadka/gc"
	"github.com/gryadka/gryadka/paxos"
	"github.com/gryadka/gryadka/serve"
)

type gcOptions struct {
	proposers   []string
	noProposers bool
	watch       bool
	grace       time.Duration
	scanEvery   time.Duration
}

// errNotFenced is the refusal of `gryadka gc` without --proposers.
var errNotFenced = errors.New("gc removes deleted keys for good, so it must first reach every proposer " +
	"that writes this cluster: a 'gryadka serve' it does not know about could bring a deleted key back or " +
	"lose a write. Name every running 'gryadka serve' with --proposers http://host:port,…, " +
	"or give --no-proposers if none is running")

// NewGCCommand returns `gryadka gc`, which removes deleted keys from the
// acceptors: the keys given, every tombstone found, or, with --watch, the
// tombstones as they appear until interrupted.
func NewGCCommand(g *Globals) *cobra.Command {
	var o gcOptions
	c := &cobra.Command{
		Use:   "gc [KEY...] --cluster FILE (--proposers http://…,… | --no-proposers) [--watch]",
		Short: "Remove deleted keys from the acceptors (garbage collection)",
		Long: `A delete only writes a tombstone; gc removes tombstoned keys from every acceptor in four
steps, each printed: replicate the tombstone to every node, invalidate every proposer's
cache of the key, fence off every proposer's older messages (raise its age), remove.

Every node must answer, and so must every proposer that writes the cluster: name each
running 'gryadka serve' with --proposers. A key whose collection fails is left as it
was (or partly removed, which is safe) and can be collected again later.

Without KEY it collects every tombstone it finds on the nodes. With --watch it keeps
collecting, rescanning now and then, until Ctrl-C. --timeout bounds connecting and
each step's calls.`,
		Example: "  gryadka gc --cluster c/cluster.json --proposers http://127.0.0.1:8080,http://127.0.0.1:8081\n" +
			"  gryadka gc k1 k2 --cluster c/cluster.json --no-proposers\n" +
			"  gryadka gc --watch --cluster c/cluster.json --proposers http://127.0.0.1:8080",
		RunE: func(cmd *cobra.Command, args []string) error { return runGC(cmd, g, o, args) },
	}
	fs := c.Flags()
	fs.StringSliceVar(&o.proposers, "proposers", nil,
		"every 'gryadka serve' proposer of the cluster, as http://host:port, comma-separated")
	fs.BoolVar(&o.noProposers, "no-proposers", false, "no proposer is running: collect without fencing any")
	fs.BoolVar(&o.watch, "watch", false, "keep collecting tombstones as they appear, until Ctrl-C")
	fs.DurationVar(&o.grace, "grace", 10*time.Second, "with --watch, how long a tombstone found waits before its collection")
	fs.DurationVar(&o.scanEvery, "scan-every", 30*time.Second, "with --watch, how often the nodes are scanned for tombstones")
	return c
}

func runGC(cmd *cobra.Command, g *Globals, o gcOptions, keys []string) error {
	proposers, err := gcProposers(o)
	if err != nil {
		return err
	}
	ctx := cmd.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	dialCtx, cancel := context.WithTimeout(ctx, g.timeout())
	conn, err := g.Connect(dialCtx, cmd.ErrOrStderr())
	cancel()
	if err != nil {
		return err
	}
	defer conn.Close()
	for _, a := range conn.Acceptors {
		if u, ok := a.(unreachable); ok {
			return Exit(ExitUnavailable, fmt.Errorf("gc needs every node, and %s cannot be reached: %w", u.name, u.err))
		}
	}
	nodes, err := gc.AsAcceptors(conn.Acceptors...)
	if err != nil {
		return err
	}
	id := "gc"
	if cmd.Flags().Changed("proposer") {
		id = g.ProposerID
	}
	out := &gcPrinter{w: cmd.OutOrStdout()}
	col, err := gc.New(gc.Config{Acceptors: nodes, Proposers: proposers, ID: id, Tracer: out,
		Grace: o.grace, Timeout: min(3*time.Second, g.timeout())})
	if err != nil {
		return Usage(err)
	}
	if o.watch {
		return watchGC(ctx, col, out, keys, o.scanEvery)
	}
	if len(keys) == 0 {
		if keys, err = col.Tombstones(ctx); err != nil {
			return Exit(ExitUnavailable, err)
		}
	}
	var first error
	for _, k := range keys {
		if _, err := col.CollectKey(ctx, k); err != nil && first == nil {
			first = err
		}
	}
	fmt.Fprintln(out.w, out.summary())
	switch {
	case first == nil:
		return nil
	case errors.Is(first, gc.ErrInUse):
		return Exit(ExitConflict, first)
	}
	return Exit(ExitUnavailable, first)
}

// gcProposers builds the proposers to fence from the flags, or refuses.
func gcProposers(o gcOptions) (gc.Proposers, error) {
	switch {
	case o.noProposers && len(o.proposers) > 0:
		return nil, Usage(errors.New("--proposers and --no-proposers contradict each other: give one"))
	case o.noProposers:
		return gc.Local(nil), nil
	case len(o.proposers) == 0:
		return nil, Usage(errNotFenced)
	}
	clients := make([]*serve.Client, len(o.proposers))
	for i, u := range o.proposers {
		c, err := serve.NewClient(u, nil)
		if err != nil {
			return nil, Usage(fmt.Errorf("--proposers: %w", err))
		}
		clients[i] = c
	}
	return serve.NewProposers(clients...), nil
}

// watchGC collects keys and every tombstone the scans find, until ctx
// ends, and prints the summary.
func watchGC(ctx context.Context, col *gc.Collector, out *gcPrinter, keys []string, every time.Duration) error {
	for _, k := range keys {
		col.Enqueue(k)
	}
	scan := func() {
		if _, err := col.Scan(ctx); err != nil && ctx.Err() == nil {
			fmt.Fprintf(out.w, "scan: %v\n", err)
		}
	}
	scan()
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				scan()
			}
		}
	})
	_ = col.Run(ctx)
	wg.Wait()
	fmt.Fprintln(out.w, out.summary())
	return nil
}

// gcPrinter prints each step of the collector and counts the keys by
// outcome.
type gcPrinter struct {
	mu                         sync.Mutex
	w                          io.Writer
	collected, skipped, failed int
}

// Enabled implements paxos.Tracer.
func (*gcPrinter) Enabled() bool { return true }

// Trace implements paxos.Tracer: it prints a gc.StepEvent's line.
func (p *gcPrinter) Trace(e paxos.Event) {
	s, ok := e.(gc.StepEvent)
	if !ok {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintln(p.w, s.Text())
	switch {
	case s.Skipped != "":
		p.skipped++
	case !s.OK:
		p.failed++
	case s.Step == gc.StepRemove:
		p.collected++
	}
}

func (p *gcPrinter) summary() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return fmt.Sprintf("keys collected: %d, skipped (they hold a value): %d, failed: %d", p.collected, p.skipped, p.failed)
}
