package tui

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/gryadka/gryadka/cluster"
	"github.com/gryadka/gryadka/paxos"
	"github.com/gryadka/gryadka/serve"
)

// ErrConfigChanged is returned when a serve proposer's configuration was
// replaced by someone else while a membership step was changing it.
var ErrConfigChanged = errors.New("tui: the configuration was changed by someone else")

// serveProposers are serve proposers that adopt a configuration by
// PUT /config, naming the version they replace.
type serveProposers []*serve.Client

var _ cluster.Proposers = serveProposers(nil)

// Apply implements cluster.Proposers. A proposer that already uses cfg is
// left alone, so a step can be retried. A version conflict (409) means
// someone else changed that proposer's configuration since it was read:
// the step fails with the configuration read again, for the user to look
// at before running the member command again.
func (s serveProposers) Apply(ctx context.Context, nodes []cluster.FileNode, cfg cluster.FileConfig) error {
	for _, c := range s {
		doc, err := c.Config(ctx)
		if err != nil {
			return fmt.Errorf("reading the configuration of %s: %w", c.URL(), err)
		}
		if sameConfig(doc.Config, cfg) {
			continue
		}
		doc.Nodes, doc.Config = nodes, cfg
		if _, err := c.PutConfig(ctx, doc); err != nil {
			if !errors.Is(err, serve.ErrStaleConfig) {
				return fmt.Errorf("configuring %s: %w", c.URL(), err)
			}
			now, rerr := c.Config(ctx)
			if rerr != nil {
				return fmt.Errorf("%w: %s is past version %d, and reading it again failed: %w", ErrConfigChanged, c.URL(), doc.Version, rerr)
			}
			return fmt.Errorf("%w: %s went from version %d to %d meanwhile and now uses %s; reloaded: check it, then run the member command again",
				ErrConfigChanged, c.URL(), doc.Version, now.Version, paxos.Layout(now.Config))
		}
	}
	return nil
}

func sameConfig(a, b cluster.FileConfig) bool {
	return slices.Equal(a.Prepare, b.Prepare) && slices.Equal(a.Accept, b.Accept) &&
		a.PrepareQuorum == b.PrepareQuorum && a.AcceptQuorum == b.AcceptQuorum
}

// remoteMembers returns the membership runner of serve proposers: the
// cluster as the first one's /config describes it, its identity read
// from the nodes. New nodes are given by address; they are listed on
// inspect as they join.
func remoteMembers(ctx context.Context, clients []*serve.Client, first serve.ConfigDoc, nodes []cluster.FileNode,
	ns string, inspect *ClusterNodes, tracer paxos.Tracer) (*MemberRunner, error) {
	id, err := inspect.Identity(ctx)
	if err != nil {
		return nil, fmt.Errorf("tui: reading the cluster identity from the nodes: %w", err)
	}
	if ns == "" {
		ns = cluster.DefaultNamespace
	}
	f := cluster.File{Version: cluster.FileVersion, Identity: id, Namespace: ns, Nodes: nodes, Config: first.Config}
	return NewMemberRunner(MemberOptions{File: f, Proposers: serveProposers(clients), Listed: inspect.Add, Tracer: tracer})
}
