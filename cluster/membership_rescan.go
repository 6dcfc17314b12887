package cluster

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gryadka/gryadka/paxos"
)

// rescanKeyTimeout bounds the tries of one key's identity change: under
// load it can lose to concurrent changes again and again, since a client
// proposer with the one-round-trip optimization needs one round trip
// where the rescan needs two.
const rescanKeyTimeout = 10 * time.Second

// rescan is grow step 3: "Pick any proposer and execute the identity
// state transition function x → x", for every key. The proposer is the
// Rescanner or one of the machine's own, holding layout (the widened
// configuration), so
// each change prepares with the old quorum, finds the chosen value and
// writes it to an accept quorum of the new set: a read in CASPaxos is a
// full change, and the proposer always runs the accept phase.
//
// The paper's cheaper catch-up, copying the highest-ballot state of a
// majority of the old nodes onto the new one, is not used: the value it
// copies may be one a minority accepted in a failed change, not the one
// held by F+1, so the key still would not sit on F+2 nodes; and a copy
// is no message any proposer sent, so the network-equivalence argument
// of the paper's proof does not cover it. check/ uses such a copy only
// to restore a wiped node before it votes again.
func (m *Membership) rescan(ctx context.Context, layout paxos.Layout, ev MembershipStep) error {
	keys, err := m.listKeys(ctx, layout)
	if err != nil {
		return err
	}
	p := m.opts.Rescanner
	if p == nil {
		var closeAll func()
		if p, closeAll, err = m.rescanProposer(ctx, layout); err != nil {
			return err
		}
		defer closeAll()
	}
	start := m.opts.Now()
	var done atomic.Int64
	every := max(1, len(keys)/100)
	report := func(n int) {
		e := ev
		e.KeysDone, e.KeysTotal = n, len(keys)
		if d := m.opts.Now().Sub(start); d > 0 {
			e.Rate = float64(n) / d.Seconds()
		}
		m.emit(e, MemberStepProgress)
	}
	report(0)
	work := make(chan string)
	errs := make([]error, m.opts.Concurrency)
	var wg sync.WaitGroup
	for w := range m.opts.Concurrency {
		wg.Go(func() {
			for key := range work {
				if errs[w] != nil {
					continue
				}
				if errs[w] = identity(ctx, p, key); errs[w] == nil {
					if n := int(done.Add(1)); n%every == 0 || n == len(keys) {
						report(n)
					}
				}
			}
		})
	}
	for _, key := range keys {
		work <- key
	}
	close(work)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("rescan: %d of %d keys done: %w", done.Load(), len(keys), err)
	}
	return nil
}

// identity runs x → x on key, again while it loses to concurrent
// changes, backing off a random while that doubles up to 64ms.
func identity(ctx context.Context, p *paxos.Proposer, key string) error {
	same := func(state []byte) ([]byte, error) { return state, nil }
	deadline := time.Now().Add(rescanKeyTimeout)
	var err error
	for i := 0; ; i++ {
		if _, err = p.Change(ctx, key, same); err == nil || ctx.Err() != nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(time.Duration(rand.Int64N(int64(time.Millisecond) << min(i, 6))))
	}
	if err != nil {
		return fmt.Errorf("rewriting key %q: %w", key, err)
	}
	return nil
}

// rescanProposer dials the nodes of layout, with the identity check, and
// returns a proposer over them and a function that closes them.
func (m *Membership) rescanProposer(ctx context.Context, layout paxos.Layout) (*paxos.Proposer, func(), error) {
	var opened []*RedisAcceptor
	closeAll := func() {
		for _, a := range opened {
			_ = a.Close()
		}
	}
	byName := map[string]paxos.Acceptor{}
	for _, name := range append(slices.Clone(layout.Prepare), layout.Accept...) {
		if byName[name] != nil {
			continue
		}
		n, err := m.node(name)
		if err == nil {
			var a *RedisAcceptor
			if a, err = m.opts.Dial(ctx, n, m.file.Identity); err == nil {
				opened = append(opened, a)
				byName[name] = a
			}
		}
		if err != nil {
			// An unreachable node only misses votes; the quorum decides.
			byName[name] = downAcceptor{name: name, err: err}
		}
	}
	pick := func(names []string) []paxos.Acceptor {
		set := make([]paxos.Acceptor, len(names))
		for i, n := range names {
			set[i] = byName[n]
		}
		return set
	}
	p, err := paxos.NewProposer(paxos.Options{ID: "rescan", Config: paxos.Config{
		Prepare: pick(layout.Prepare), PrepareQuorum: layout.PrepareQuorum,
		Accept: pick(layout.Accept), AcceptQuorum: layout.AcceptQuorum,
		Unsafe: m.opts.Unsafe}})
	if err != nil {
		closeAll()
		return nil, nil, err
	}
	return p, closeAll, nil
}

// listKeys lists, with SCAN, the keys of every node that may hold a
// value: those of layout and of the earlier configurations. A node that
// cannot be listed is tolerated while every value still sits on a listed
// node: a value written to Min of Nodes is found when fewer than Min of
// them failed.
func (m *Membership) listKeys(ctx context.Context, layout paxos.Layout) ([]string, error) {
	written := m.State().Written
	names := append(slices.Clone(layout.Prepare), layout.Accept...)
	for _, w := range written {
		names = append(names, w.Nodes...)
	}
	slices.Sort(names)
	names = slices.Compact(names)
	failed := map[string]error{}
	keys := map[string]bool{}
	for _, name := range names {
		n, err := m.node(name)
		var a *RedisAcceptor
		if err == nil {
			a, err = m.opts.Dial(ctx, n, "")
		}
		var ks []string
		if err == nil {
			ks, err = a.Keys(ctx, "", 0)
			_ = a.Close()
		}
		if err != nil {
			failed[name] = err
			continue
		}
		for _, k := range ks {
			keys[k] = true
		}
	}
	for _, w := range written {
		var lost []string
		for _, n := range w.Nodes {
			if failed[n] != nil {
				lost = append(lost, fmt.Sprintf("%s (%v)", n, failed[n]))
			}
		}
		if len(lost) >= w.Min {
			return nil, fmt.Errorf("listing the keys: a value may sit on only %d of [%s], and these could not be listed: %s",
				w.Min, strings.Join(w.Nodes, " "), strings.Join(lost, "; "))
		}
	}
	out := make([]string, 0, len(keys))
	for k := range keys {
		out = append(out, k)
	}
	slices.Sort(out)
	return out, nil
}

// downAcceptor stands for a node the rescan could not reach: it refuses
// every request, a missing vote.
type downAcceptor struct {
	name string
	err  error
}

func (d downAcceptor) Name() string { return d.name }

func (d downAcceptor) Prepare(context.Context, string, paxos.Ballot) (paxos.Promise, error) {
	return paxos.Promise{}, d.err
}

func (d downAcceptor) Accept(context.Context, string, paxos.Ballot, []byte, paxos.Ballot) error {
	return d.err
}
