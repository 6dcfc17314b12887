package cluster

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/gryadka/gryadka/paxos"
)

// FileName is the name of the cluster file in a cluster's directory.
const FileName = "cluster.json"

// FileVersion is the version of the cluster file format written here.
const FileVersion = 1

// ErrBadFile is wrapped by every error about a cluster file's content.
var ErrBadFile = errors.New("cluster: bad cluster file")

// File describes a cluster: its nodes, the identity they hold and the
// configuration proposers use. It is what `gryadka up` writes to
// D/cluster.json and what --cluster reads.
type File struct {
	Version   int        `json:"version"`
	Identity  string     `json:"identity"`
	Namespace string     `json:"namespace,omitempty"`
	Nodes     []FileNode `json:"nodes"`
	Config    FileConfig `json:"configuration"`
	// Membership is the membership change in progress, and where the
	// values written under earlier configurations may sit. Absent, every
	// value was written under Config.
	Membership *MembershipState `json:"membership,omitempty"`
}

// FileNode is one node of a File. Addr is host:port, or a redis:// or
// rediss:// address. Dir and PID are set for process nodes started by
// `gryadka up`, so that `gryadka down` stops exactly those processes.
type FileNode struct {
	Name    string   `json:"name"`
	Addr    string   `json:"addr"`
	Backend NodeKind `json:"backend"`
	Dir     string   `json:"dir,omitempty"`
	PID     int      `json:"pid,omitempty"`
}

// FileConfig names the acceptors of each phase and the votes that win it.
type FileConfig struct {
	Prepare       []string `json:"prepare"`
	PrepareQuorum int      `json:"prepare_quorum"`
	Accept        []string `json:"accept"`
	AcceptQuorum  int      `json:"accept_quorum"`
}

// MajorityConfig is the classic configuration over names: all of them in
// both phases, a majority winning each.
func MajorityConfig(names ...string) FileConfig {
	q := len(names)/2 + 1
	return FileConfig{Prepare: names, PrepareQuorum: q, Accept: names, AcceptQuorum: q}
}

// Validate explains in words what is wrong with f, or returns nil.
func (f File) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrBadFile, fmt.Sprintf(format, args...))
	}
	if f.Version != FileVersion {
		return bad("version %d is not supported: want %d", f.Version, FileVersion)
	}
	if f.Identity == "" {
		return bad("the cluster identity is empty")
	}
	if len(f.Nodes) == 0 {
		return bad("it lists no nodes")
	}
	names := map[string]bool{}
	for i, n := range f.Nodes {
		if !nodeNamePattern.MatchString(n.Name) {
			return bad("node %d: name %q: use 1 to 32 letters, digits, '-' or '_'", i+1, n.Name)
		}
		if names[n.Name] {
			return bad("node %s is listed twice", n.Name)
		}
		names[n.Name] = true
		if _, err := ParseEndpoint(n.Name, n.Addr); err != nil {
			return bad("%v", err)
		}
		switch n.Backend {
		case KindEmbedded, KindProcess, KindRemote:
		default:
			return bad("node %s: unknown backend %q: want embedded, process or remote", n.Name, n.Backend)
		}
		if n.PID != 0 && (n.Backend != KindProcess || n.Dir == "") {
			return bad("node %s: a pid is only kept for a process node with its data directory", n.Name)
		}
	}
	c := f.Config
	if err := checkFileSet("prepare", c.Prepare, c.PrepareQuorum, names); err != nil {
		return bad("%v", err)
	}
	if err := checkFileSet("accept", c.Accept, c.AcceptQuorum, names); err != nil {
		return bad("%v", err)
	}
	union := map[string]bool{}
	for _, n := range append(append([]string(nil), c.Prepare...), c.Accept...) {
		union[n] = true
	}
	if c.PrepareQuorum+c.AcceptQuorum <= len(union) {
		return bad("a prepare quorum of %d and an accept quorum of %d among %d acceptors can miss each other; "+
			"they must add up to more than %d", c.PrepareQuorum, c.AcceptQuorum, len(union), len(union))
	}
	return nil
}

func checkFileSet(phase string, set []string, quorum int, nodes map[string]bool) error {
	if len(set) == 0 {
		return fmt.Errorf("the %s set is empty", phase)
	}
	seen := map[string]bool{}
	for _, n := range set {
		if !nodes[n] {
			return fmt.Errorf("the %s set names %s, which is not a node of the file", phase, n)
		}
		if seen[n] {
			return fmt.Errorf("the %s set names %s twice", phase, n)
		}
		seen[n] = true
	}
	if quorum < 1 || quorum > len(set) {
		return fmt.Errorf("a %s quorum of %d is impossible with %d acceptors", phase, quorum, len(set))
	}
	return nil
}

// Endpoints returns the address of every node, in the file's order.
func (f File) Endpoints() ([]Endpoint, error) {
	eps := make([]Endpoint, len(f.Nodes))
	for i, n := range f.Nodes {
		ep, err := ParseEndpoint(n.Name, n.Addr)
		if err != nil {
			return nil, err
		}
		eps[i] = ep
	}
	return eps, nil
}

// PaxosConfig builds the file's configuration from acceptors named like
// its nodes.
func (f File) PaxosConfig(acceptors []paxos.Acceptor) (paxos.Config, error) {
	byName := map[string]paxos.Acceptor{}
	for _, a := range acceptors {
		byName[a.Name()] = a
	}
	pick := func(names []string) ([]paxos.Acceptor, error) {
		set := make([]paxos.Acceptor, len(names))
		for i, n := range names {
			if set[i] = byName[n]; set[i] == nil {
				return nil, fmt.Errorf("cluster: the configuration needs acceptor %s, which is not connected", n)
			}
		}
		return set, nil
	}
	prepare, err := pick(f.Config.Prepare)
	if err != nil {
		return paxos.Config{}, err
	}
	accept, err := pick(f.Config.Accept)
	if err != nil {
		return paxos.Config{}, err
	}
	c := paxos.Config{Prepare: prepare, PrepareQuorum: f.Config.PrepareQuorum,
		Accept: accept, AcceptQuorum: f.Config.AcceptQuorum}
	return c, c.Validate()
}

// LoadFile reads and validates the cluster file at path.
func LoadFile(path string) (File, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return File{}, fmt.Errorf("cluster: reading the cluster file: %w", err)
	}
	var f File
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return File{}, fmt.Errorf("%s: %w: not a cluster description: %s",
			path, ErrBadFile, strings.TrimPrefix(err.Error(), "json: "))
	}
	if err := f.Validate(); err != nil {
		return File{}, fmt.Errorf("%s: %w", path, err)
	}
	return f, nil
}

// WriteFile validates f and writes it to path atomically, readable by the
// owner only (addresses may hold passwords).
func WriteFile(path string, f File) error {
	if err := f.Validate(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".cluster-*.json")
	if err != nil {
		return fmt.Errorf("cluster: writing the cluster file: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("cluster: writing the cluster file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("cluster: writing the cluster file: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("cluster: writing the cluster file: %w", err)
	}
	return nil
}
