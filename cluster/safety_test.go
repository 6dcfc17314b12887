package cluster

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/alicebob/miniredis/v2"
)

func accTestFacts(values map[string]string, unknown ...string) serverFacts {
	f := serverFacts{values: map[string]string{}, unknown: map[string]string{}}
	safe := map[string]string{
		"maxmemory-policy": "noeviction", "appendonly": "yes", "appendfsync": "always",
		"save": "3600 1", "role": "master", "cluster_enabled": "0",
	}
	for k, v := range safe {
		f.values[k] = v
	}
	for k, v := range values {
		f.values[k] = v
	}
	for _, k := range unknown {
		delete(f.values, k)
		f.unknown[k] = "ERR unknown command"
	}
	return f
}

func TestAssessServer_RefusesAndWarns(t *testing.T) {
	tests := map[string]struct {
		facts         serverFacts
		allowEviction bool
		inMemoryOK    bool
		refused       string // substring of the refusal, "" when accepted
		warnings      []string
	}{
		"safe server": {facts: accTestFacts(nil)},
		"eviction refused": {
			facts:   accTestFacts(map[string]string{"maxmemory-policy": "allkeys-lru"}),
			refused: "an evicted promise silently breaks safety",
		},
		"eviction allowed on request": {
			facts:         accTestFacts(map[string]string{"maxmemory-policy": "volatile-lru"}),
			allowEviction: true,
			warnings:      []string{"maxmemory-policy is volatile-lru"},
		},
		"replica refused": {
			facts:   accTestFacts(map[string]string{"role": "slave"}),
			refused: "replica",
		},
		"cluster mode refused": {
			facts:   accTestFacts(map[string]string{"cluster_enabled": "1"}),
			refused: "cluster mode",
		},
		"no persistence": {
			facts:    accTestFacts(map[string]string{"appendonly": "no", "save": ""}),
			warnings: []string{"no persistence"},
		},
		"no persistence, in memory on purpose": {
			facts:      accTestFacts(map[string]string{"appendonly": "no", "save": ""}),
			inMemoryOK: true,
		},
		"snapshots only": {
			facts:    accTestFacts(map[string]string{"appendonly": "no"}),
			warnings: []string{"only RDB snapshots"},
		},
		"fsync every second": {
			facts:    accTestFacts(map[string]string{"appendfsync": "everysec"}),
			warnings: []string{"appendfsync is everysec"},
		},
		"nothing readable (miniredis)": {
			facts: accTestFacts(nil, "maxmemory-policy", "appendonly", "appendfsync", "save", "role", "cluster_enabled"),
			warnings: []string{
				"could not verify the eviction policy", "could not verify persistence",
				"could not verify that the server is a primary", "could not verify that cluster mode is off",
			},
		},
		"nothing readable, in memory on purpose": {
			facts:      accTestFacts(nil, "maxmemory-policy", "appendonly", "appendfsync", "save", "role", "cluster_enabled"),
			inMemoryOK: true,
			warnings: []string{
				"could not verify the eviction policy",
				"could not verify that the server is a primary", "could not verify that cluster mode is off",
			},
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			warnings, err := assessServer(tt.facts, tt.allowEviction, tt.inMemoryOK)
			if tt.refused != "" {
				if !errors.Is(err, ErrUnsafeServer) || !strings.Contains(err.Error(), tt.refused) {
					t.Fatalf("want a refusal about %q, have %v", tt.refused, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("want no refusal, have %v", err)
			}
			if len(warnings) != len(tt.warnings) {
				t.Fatalf("want %d warnings, have %q", len(tt.warnings), warnings)
			}
			for i, w := range tt.warnings {
				if !strings.Contains(warnings[i], w) {
					t.Errorf("warning %d: want %q in it, have %q", i, w, warnings[i])
				}
			}
		})
	}
}

func TestDialAcceptor_ChecksTheServer(t *testing.T) {
	tests := map[string]struct {
		args     []string
		opts     func(*AcceptorOptions)
		refused  string
		warnings []string
	}{
		"durable":        {args: []string{"--appendonly", "yes", "--appendfsync", "always"}},
		"no persistence": {warnings: []string{"no persistence"}},
		"in memory on purpose": {
			opts: func(o *AcceptorOptions) { o.InMemoryOK = true },
		},
		"everysec": {
			args:     []string{"--appendonly", "yes", "--appendfsync", "everysec"},
			warnings: []string{"appendfsync is everysec"},
		},
		"eviction": {
			args:    []string{"--maxmemory", "100mb", "--maxmemory-policy", "allkeys-lru"},
			refused: "maxmemory-policy is allkeys-lru",
		},
		"replica": {
			args:    []string{"--replicaof", "127.0.0.1", "1"},
			refused: "replica",
		},
		"cluster mode": {
			args:    []string{"--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf"},
			refused: "cluster mode",
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			addr := accTestRedisServer(t, tt.args...)
			opts := AcceptorOptions{Endpoint: Endpoint{Name: "a3", Addr: addr}}
			if tt.opts != nil {
				tt.opts(&opts)
			}
			a, err := DialAcceptor(context.Background(), opts)
			if tt.refused != "" {
				if !errors.Is(err, ErrUnsafeServer) || !strings.Contains(err.Error(), tt.refused) || !strings.HasPrefix(err.Error(), "a3") {
					t.Fatalf("want a refusal of a3 about %q, have %v", tt.refused, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			have := a.Warnings()
			if len(have) != len(tt.warnings) {
				t.Fatalf("want warnings %q, have %q", tt.warnings, have)
			}
			for i, w := range tt.warnings {
				if !strings.Contains(have[i], w) {
					t.Errorf("want %q in warning %q", w, have[i])
				}
			}
		})
	}
}

func TestDialAcceptor_MiniredisCannotBeVerified(t *testing.T) {
	m := miniredis.RunT(t)
	a, err := DialAcceptor(context.Background(), AcceptorOptions{Endpoint: Endpoint{Name: "a1", Addr: m.Addr()}, InMemoryOK: true})
	if err != nil {
		t.Fatalf("miniredis must be usable: %v", err)
	}
	defer a.Close()
	w := strings.Join(a.Warnings(), "\n")
	if !strings.Contains(w, "could not verify the eviction policy: the server has no CONFIG GET") || strings.Contains(w, "persistence") {
		t.Errorf("want 'could not verify' warnings without persistence, have:\n%s", w)
	}
}
