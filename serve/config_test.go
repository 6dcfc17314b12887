package serve

import (
	"errors"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gryadka/gryadka/cluster"
)

func TestServer_GetConfig(t *testing.T) {
	env := startEnv(t, envOptions{nodes: 4, configured: []string{"a1", "a2", "a3"}})
	doc, err := env.client.Config(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	if doc.Version != 1 || doc.Proposer != "p1" || len(doc.Nodes) != 4 {
		t.Errorf("want version 1 of p1 with 4 nodes, have %+v", doc)
	}
	if want := cluster.MajorityConfig("a1", "a2", "a3"); !reflect.DeepEqual(want, doc.Config) {
		t.Errorf("want %+v, have %+v", want, doc.Config)
	}
}

func TestServer_PutConfigRefused(t *testing.T) {
	env := startEnv(t, envOptions{nodes: 4, configured: []string{"a1", "a2", "a3"}})
	ctx := testCtx(t)
	base, err := env.client.Config(ctx)
	if err != nil {
		t.Fatal(err)
	}
	before := env.server.Proposer().Config().String()
	tests := map[string]struct {
		edit    func(d *ConfigDoc)
		want    error
		message string
	}{
		"stale version": {edit: func(d *ConfigDoc) { d.Version = 7 }, want: ErrStaleConfig, message: "version 1, not 7"},
		"unsafe quorums": {edit: func(d *ConfigDoc) {
			d.Config.PrepareQuorum, d.Config.AcceptQuorum = 1, 2
		}, want: ErrBadRequest, message: "can miss each other"},
		"unknown node": {edit: func(d *ConfigDoc) {
			d.Config = cluster.MajorityConfig("a1", "a2", "a9")
		}, want: ErrBadRequest, message: "a9, which is not a node"},
		"unreachable node": {edit: func(d *ConfigDoc) {
			d.Nodes = append(d.Nodes, cluster.FileNode{Name: "a9", Addr: "127.0.0.1:1", Backend: cluster.KindRemote})
			d.Config = cluster.MajorityConfig("a1", "a2", "a3", "a9")
		}, want: ErrBadRequest, message: "cannot reach"},
		"moved node": {edit: func(d *ConfigDoc) { d.Nodes[0].Addr = "127.0.0.1:2" }, want: ErrBadRequest, message: "keeps its address"},
		"no version": {edit: func(d *ConfigDoc) { d.Version = 0 }, want: ErrBadRequest, message: "version"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			doc := base
			doc.Nodes = append([]cluster.FileNode(nil), base.Nodes...)
			tt.edit(&doc)
			_, err := env.client.PutConfig(ctx, doc)
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.message) {
				t.Fatalf("want %v saying %q, have %v", tt.want, tt.message, err)
			}
			have, err := env.client.Config(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(base, have) {
				t.Errorf("nothing may change: want %+v, have %+v", base, have)
			}
			if after := env.server.Proposer().Config().String(); after != before {
				t.Errorf("want the proposer's configuration %s, have %s", before, after)
			}
		})
	}
}

func TestServer_PutConfigWithoutQuorum(t *testing.T) {
	env := startEnv(t, envOptions{})
	ctx := testCtx(t)
	doc, err := env.client.Config(ctx)
	if err != nil {
		t.Fatal(err)
	}
	env.mustKill(t, "a2", "a3")
	doc.Config.AcceptQuorum = 3
	_, err = env.client.PutConfig(ctx, doc)
	if !errors.Is(err, ErrBadRequest) || !strings.Contains(err.Error(), "cannot reach a quorum") {
		t.Fatalf("want a refusal for want of a quorum, have %v", err)
	}
	if have, err := env.client.Config(ctx); err != nil || have.Version != 1 || have.Config.AcceptQuorum != 2 {
		t.Errorf("want version 1 unchanged, have %+v, %v", have, err)
	}
}

// mustKill kills the nodes.
func (env *testEnv) mustKill(t testing.TB, names ...string) {
	t.Helper()
	for _, name := range names {
		n, err := env.local.Node(name)
		if err != nil {
			t.Fatal(err)
		}
		if err := n.Kill(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestServer_PutConfigAddsNode(t *testing.T) {
	env := startEnv(t, envOptions{nodes: 4, configured: []string{"a1", "a2", "a3"}})
	ctx := testCtx(t)
	if _, err := env.client.Set(ctx, "k", 1); err != nil {
		t.Fatal(err)
	}
	doc, err := env.client.Config(ctx)
	if err != nil {
		t.Fatal(err)
	}
	doc.Config = cluster.MajorityConfig("a1", "a2", "a3", "a4")
	doc, err = env.client.PutConfig(ctx, doc)
	if err != nil {
		t.Fatal(err)
	}
	if doc.Version != 2 || len(doc.Config.Accept) != 4 {
		t.Fatalf("want version 2 over 4 nodes, have %+v", doc)
	}
	if have := len(env.server.Proposer().Config().Accept); have != 4 {
		t.Fatalf("want the proposer to accept on 4 nodes, have %d", have)
	}
	// With a quorum of 3 of 4, a change needs a4 once a1 is down.
	env.mustKill(t, "a1")
	v, err := env.client.Incr(ctx, "k", 1)
	if err != nil {
		t.Fatal(err)
	}
	if string(v.Value) != "2" || v.Version != 2 {
		t.Errorf("want 2 at version 2, have %+v", v)
	}
	if _, err := env.client.PutConfig(ctx, ConfigDoc{Version: 1, Nodes: doc.Nodes, Config: doc.Config}); !errors.Is(err, ErrStaleConfig) {
		t.Errorf("want ErrStaleConfig for the replaced version, have %v", err)
	}
	doc.Config = cluster.MajorityConfig("a2", "a3", "a4")
	if doc, err = env.client.PutConfig(ctx, doc); err != nil || doc.Version != 3 {
		t.Fatalf("want version 3 without a1, have %+v, %v", doc, err)
	}
	if _, err := env.client.Incr(ctx, "k", 1); err != nil {
		t.Fatal(err)
	}
}

func TestServer_PutConfigSerialized(t *testing.T) {
	env := startEnv(t, envOptions{nodes: 4, configured: []string{"a1", "a2", "a3"}})
	ctx := testCtx(t)
	doc, err := env.client.Config(ctx)
	if err != nil {
		t.Fatal(err)
	}
	doc.Config = cluster.MajorityConfig("a1", "a2", "a3", "a4")
	const n = 8
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { _, errs[i] = env.client.PutConfig(ctx, doc) })
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, ErrStaleConfig):
			t.Errorf("want ErrStaleConfig, have %v", err)
		}
	}
	if won != 1 {
		t.Errorf("want exactly one replacement of version 1, have %d", won)
	}
	if doc, err := env.client.Config(ctx); err != nil || doc.Version != 2 {
		t.Errorf("want version 2, have %+v, %v", doc, err)
	}
}

func TestServer_PutConfigStatus(t *testing.T) {
	env := startEnv(t, envOptions{})
	tests := map[string]struct {
		body   string
		status int
	}{
		"stale":         {body: `{"version":9,"nodes":[],"configuration":{}}`, status: http.StatusConflict},
		"bad json":      {body: `{"version":`, status: http.StatusBadRequest},
		"unknown field": {body: `{"version":1,"extra":1}`, status: http.StatusBadRequest},
		"empty":         {body: ``, status: http.StatusBadRequest},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			status, body := env.send(t, request{"PUT", "/config", tt.body})
			if status != tt.status {
				t.Errorf("want %d, have %d: %s", tt.status, status, body)
			}
		})
	}
}

func TestServer_RedialsNodeDownAtStart(t *testing.T) {
	env := startEnv(t, envOptions{down: []string{"a3"}})
	if !strings.Contains(env.warned, "a3") {
		t.Errorf("want a warning about a3, have %q", env.warned)
	}
	ctx := testCtx(t)
	n, err := env.local.Node("a3")
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	env.mustKill(t, "a1")
	// Only a2 and a3 are left: changes succeed once a3 is dialed again,
	// which a call tries at most once a second.
	for {
		_, err := env.client.Incr(ctx, "k", 1)
		if err == nil {
			break
		}
		if !errors.Is(err, ErrNoQuorum) || ctx.Err() != nil {
			t.Fatalf("want a3 back, have %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
