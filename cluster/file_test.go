package cluster

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/gryadka/gryadka/paxos"
)

func fileTestGood() File {
	return File{
		Version:  FileVersion,
		Identity: "gryadka-1",
		Nodes: []FileNode{
			{Name: "a1", Addr: "127.0.0.1:7001", Backend: KindProcess, Dir: "/tmp/d/a1", PID: 42},
			{Name: "a2", Addr: "127.0.0.1:7002", Backend: KindEmbedded},
			{Name: "a3", Addr: "redis://u:secret@10.0.0.3:6379", Backend: KindRemote},
		},
		Config: MajorityConfig("a1", "a2", "a3"),
	}
}

func TestFile_RoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	want := fileTestGood()
	if err := WriteFile(path, want); err != nil {
		t.Fatal(err)
	}
	have, err := LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(want, have) {
		t.Fatalf("want %+v, have %+v", want, have)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		t.Fatalf("the file may hold passwords: want it private, have mode %v", perm)
	}
}

func TestFile_ValidateExplains(t *testing.T) {
	for name, tc := range map[string]struct {
		edit func(*File)
		want string
	}{
		"version":        {func(f *File) { f.Version = 2 }, "version 2 is not supported"},
		"no identity":    {func(f *File) { f.Identity = "" }, "identity is empty"},
		"no nodes":       {func(f *File) { f.Nodes = nil }, "lists no nodes"},
		"twice":          {func(f *File) { f.Nodes[1].Name = "a1" }, "node a1 is listed twice"},
		"bad name":       {func(f *File) { f.Nodes[0].Name = "a 1" }, `name "a 1"`},
		"bad addr":       {func(f *File) { f.Nodes[1].Addr = "nowhere" }, `a2: address "nowhere"`},
		"backend":        {func(f *File) { f.Nodes[1].Backend = "docker" }, `unknown backend "docker"`},
		"pid no dir":     {func(f *File) { f.Nodes[0].Dir = "" }, "node a1: a pid is only kept"},
		"unknown member": {func(f *File) { f.Config.Accept = []string{"a1", "a9"} }, "names a9, which is not a node"},
		"empty set":      {func(f *File) { f.Config.Prepare = nil }, "prepare set is empty"},
		"big quorum":     {func(f *File) { f.Config.AcceptQuorum = 4 }, "accept quorum of 4 is impossible"},
		"disjoint":       {func(f *File) { f.Config.PrepareQuorum = 1 }, "can miss each other"},
	} {
		t.Run(name, func(t *testing.T) {
			f := fileTestGood()
			tc.edit(&f)
			err := f.Validate()
			if !errors.Is(err, ErrBadFile) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("want an ErrBadFile saying %q, have %v", tc.want, err)
			}
		})
	}
}

func TestLoadFile_RejectsOtherJSON(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"not json":      "nodes: a1",
		"unknown field": `{"version": 1, "identity": "x", "nodez": []}`,
		"invalid":       `{"version": 1, "identity": "x", "nodes": []}`,
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(name, " ", "_")+".json")
			if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := LoadFile(path)
			if !errors.Is(err, ErrBadFile) || !strings.Contains(err.Error(), path) {
				t.Fatalf("want an ErrBadFile naming %s, have %v", path, err)
			}
		})
	}
	if _, err := LoadFile(filepath.Join(dir, "missing.json")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("missing file: want os.ErrNotExist, have %v", err)
	}
}

func TestFile_PaxosConfig(t *testing.T) {
	f := fileTestGood()
	f.Config = FileConfig{Prepare: []string{"a1", "a2"}, PrepareQuorum: 2, Accept: []string{"a2", "a3"}, AcceptQuorum: 2}
	accs := []paxos.Acceptor{paxos.NewMemAcceptor("a1"), paxos.NewMemAcceptor("a2"), paxos.NewMemAcceptor("a3")}
	c, err := f.PaxosConfig(accs)
	if err != nil {
		t.Fatal(err)
	}
	if want, have := "prepare 2/2 [a1 a2] accept 2/2 [a2 a3]", c.String(); want != have {
		t.Fatalf("want %q, have %q", want, have)
	}
	if _, err := f.PaxosConfig(accs[:2]); err == nil || !strings.Contains(err.Error(), "a3") {
		t.Fatalf("missing acceptor: want an error naming a3, have %v", err)
	}
}

func TestFile_Endpoints(t *testing.T) {
	eps, err := fileTestGood().Endpoints()
	if err != nil {
		t.Fatal(err)
	}
	if want, have := "10.0.0.3:6379", eps[2].Addr; want != have {
		t.Fatalf("want %s, have %s", want, have)
	}
	if want, have := "secret", eps[2].Password; want != have {
		t.Fatalf("password: want %s, have %s", want, have)
	}
}
