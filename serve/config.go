package serve

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gryadka/gryadka/cluster"
	"github.com/gryadka/gryadka/paxos"
)

// getConfig answers the configuration in force and its version.
func (s *Server) getConfig(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	doc := s.doc()
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, doc)
}

// doc describes the configuration in force, without passwords. s.mu is held.
func (s *Server) doc() ConfigDoc {
	nodes := make([]cluster.FileNode, len(s.nodes))
	for i, n := range s.nodes {
		nodes[i] = n
		if ep, err := cluster.ParseEndpoint(n.Name, n.Addr); err == nil {
			nodes[i].Addr = ep.String()
		}
	}
	return ConfigDoc{Version: s.version.Load(), Proposer: s.opts.ID, Nodes: nodes, Config: s.config}
}

// putConfig replaces the configuration: see replaceConfig. The garbage
// collector, if any, stops first and starts again over the new nodes.
func (s *Server) putConfig(w http.ResponseWriter, r *http.Request) {
	var doc ConfigDoc
	if !decodeBody(w, r, &doc, false) {
		return
	}
	if doc.Version == 0 {
		badRequest(w, `the body has no "version": name the version of the configuration it replaces (GET /config)`)
		return
	}
	if s.gc != nil {
		s.gc.pause()
		defer s.gc.resume()
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.opts.AcceptorTimeout+time.Second)
	defer cancel()
	out, status, err := s.replaceConfig(ctx, doc)
	if err != nil {
		code := CodeBadRequest
		if status == http.StatusConflict {
			code = CodeStaleConfig
		}
		writeProblem(w, status, Problem{Code: code, Message: err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// replaceConfig swaps in the configuration of doc if doc names the current
// version, the configuration is safe, and a quorum of each phase answers
// now. It dials the nodes that join, swaps the proposer's configuration
// atomically, bumps the version and closes the connections to the nodes
// that left once the rounds that may still use them are over. On any
// error nothing changed; the status says why (409 stale, 400 refused).
func (s *Server) replaceConfig(ctx context.Context, doc ConfigDoc) (ConfigDoc, int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	refuse := func(format string, args ...any) (ConfigDoc, int, error) {
		return ConfigDoc{}, http.StatusBadRequest, fmt.Errorf(format+"; nothing changed", args...)
	}
	if v := s.version.Load(); doc.Version != v {
		return ConfigDoc{}, http.StatusConflict, fmt.Errorf(
			"the configuration is at version %d, not %d: someone replaced it; read it again (GET /config) and redo the change", v, doc.Version)
	}
	nodes, err := s.mergeNodes(doc.Nodes)
	if err != nil {
		return refuse("%v", err)
	}
	f := cluster.File{Version: cluster.FileVersion, Identity: s.opts.File.Identity, Namespace: s.opts.File.Namespace,
		Nodes: nodes, Config: doc.Config}
	if err := validateFile(f); err != nil {
		return refuse("%s", strings.TrimPrefix(err.Error(), cluster.ErrBadFile.Error()+": "))
	}
	named := configured(nodes, doc.Config)
	var joining []cluster.FileNode
	for _, n := range named {
		if s.conns[n.Name] == nil {
			joining = append(joining, n)
		}
	}
	dialed, errs, err := s.dialAll(ctx, joining)
	if err != nil {
		return refuse("%v", err)
	}
	closeDialed := func() {
		for _, n := range dialed {
			_ = n.conn.Close()
		}
	}
	if err := errors.Join(errs...); err != nil {
		closeDialed()
		return refuse("cannot reach every node that joins: %v", err)
	}
	conns := map[string]*node{}
	for _, n := range dialed {
		conns[n.file.Name] = n
	}
	accs := make([]paxos.Acceptor, len(named))
	for i, n := range named {
		if conns[n.Name] == nil {
			conns[n.Name] = s.conns[n.Name]
		}
		accs[i] = conns[n.Name].acc
	}
	config, err := f.PaxosConfig(accs)
	if err == nil {
		if why := config.QuorumMissing(pingAll(ctx, conns)); why != "" {
			err = fmt.Errorf("the new configuration cannot reach a quorum now: %s", why)
		}
	}
	if err == nil {
		err = s.proposer.SetConfig(config)
	}
	if err != nil {
		closeDialed()
		return refuse("%s", strings.TrimPrefix(strings.TrimPrefix(err.Error(), "cluster: "), "paxos: "))
	}
	for name, n := range s.conns {
		if conns[name] == nil {
			s.retire(n.conn)
		}
	}
	s.conns, s.nodes, s.config = conns, nodes, doc.Config
	s.version.Add(1)
	return s.doc(), http.StatusOK, nil
}

// mergeNodes checks the nodes of a new configuration against the known
// ones: a known name must keep its address (given as GET /config shows
// it, without the password), and keeps its full address. s.mu is held.
func (s *Server) mergeNodes(given []cluster.FileNode) ([]cluster.FileNode, error) {
	known := map[string]cluster.FileNode{}
	for _, n := range s.nodes {
		known[n.Name] = n
	}
	out := make([]cluster.FileNode, len(given))
	for i, n := range given {
		old, ok := known[n.Name]
		if !ok {
			out[i] = n
			continue
		}
		oldEp, err1 := cluster.ParseEndpoint(old.Name, old.Addr)
		newEp, err2 := cluster.ParseEndpoint(n.Name, n.Addr)
		if err := errors.Join(err1, err2); err != nil {
			return nil, err
		}
		if oldEp.String() != newEp.String() {
			return nil, fmt.Errorf("node %s is at %s, not %s: a node keeps its address; give a new node a new name",
				n.Name, oldEp, newEp)
		}
		out[i] = old
	}
	return out, nil
}

// pingAll reports which nodes answer now.
func pingAll(ctx context.Context, conns map[string]*node) map[string]bool {
	var mu sync.Mutex
	var wg sync.WaitGroup
	up := map[string]bool{}
	for name, n := range conns {
		wg.Go(func() {
			if n.conn.ping(ctx) == nil {
				mu.Lock()
				up[name] = true
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return up
}

// retire closes the connection to a node that left the configuration once
// rounds that started before may be over, or when the server closes.
func (s *Server) retire(conn *redial) {
	wait := s.proposer.RoundTimeout()
	s.retiring.Go(func() {
		t := time.NewTimer(wait)
		defer t.Stop()
		select {
		case <-t.C:
		case <-s.closing:
		}
		_ = conn.Close()
	})
}
