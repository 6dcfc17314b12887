package tui

import (
	"context"
	"time"

	"github.com/gryadka/gryadka/kv"
	"github.com/gryadka/gryadka/paxos"
)

// Proposer is a proposer the dashboard shows and steers: one in this
// process (LocalProposer) or a `gryadka serve` process it attached to
// (RemoteProposer). Methods are called from tea.Cmds, never from Update.
type Proposer interface {
	// ID returns the proposer's ID as its ballots carry it.
	ID() string
	// Status describes the proposer now. A proposer that cannot be
	// reached says why in Down and keeps its last known figures.
	Status(ctx context.Context) ProposerStatus
	// SetOneRTT turns the one-round-trip optimization on or off.
	SetOneRTT(on bool) error
	// SetRoundTimeout bounds the proposer's rounds; step mode lengthens
	// them so the user can deliver messages by hand.
	SetRoundTimeout(d time.Duration) error
}

// ProposerStatus describes one proposer at the time of a snapshot.
type ProposerStatus struct {
	ID            string // short, "p1"
	Counter       uint64
	OneRTT        bool
	Cached        int
	InFlight      int
	Prepare       []string
	Accept        []string
	PrepareQuorum int
	AcceptQuorum  int
	// Remote is the address of a serve proposer, "" for one in this process.
	Remote string
	// Down says why the proposer cannot be reached, "" when it can.
	Down string
}

// KV is the key-value store that runs through one proposer, with the
// methods and errors of kv.Store.
type KV interface {
	Get(ctx context.Context, key string) (kv.Entry, error)
	Set(ctx context.Context, key string, value any) (kv.Entry, error)
	CAS(ctx context.Context, key string, version uint64, value any) (kv.Entry, error)
	Incr(ctx context.Context, key string, delta int64) (kv.Entry, error)
	Delete(ctx context.Context, key string) (kv.Entry, error)
	Change(ctx context.Context, key, src string) (kv.Entry, error)
}

var _ KV = (*kv.Store)(nil)

// LocalProposer is a paxos.Proposer of this process.
type LocalProposer struct{ P *paxos.Proposer }

var _ Proposer = LocalProposer{}

// NewLocalClient returns the client of a proposer of this process, with
// a kv.Store built with opts.
func NewLocalClient(p *paxos.Proposer, opts ...kv.Option) Client {
	return Client{Proposer: LocalProposer{P: p}, Store: kv.New(p, opts...)}
}

// ID implements Proposer.
func (l LocalProposer) ID() string { return l.P.ID() }

// Status implements Proposer.
func (l LocalProposer) Status(context.Context) ProposerStatus {
	cfg := l.P.Config()
	return ProposerStatus{ID: shortProposer(l.P.ID()), Counter: l.P.Counter(), OneRTT: l.P.OneRTT(),
		Cached: l.P.CachedKeys(), InFlight: l.P.InFlight(),
		Prepare: acceptorNames(cfg.Prepare), Accept: acceptorNames(cfg.Accept),
		PrepareQuorum: cfg.PrepareQuorum, AcceptQuorum: cfg.AcceptQuorum}
}

// SetOneRTT implements Proposer.
func (l LocalProposer) SetOneRTT(on bool) error {
	l.P.SetOneRTT(on)
	return nil
}

// SetRoundTimeout implements Proposer.
func (l LocalProposer) SetRoundTimeout(d time.Duration) error {
	l.P.SetRoundTimeout(d)
	return nil
}

func acceptorNames(set []paxos.Acceptor) []string {
	out := make([]string, len(set))
	for i, a := range set {
		out[i] = a.Name()
	}
	return out
}
