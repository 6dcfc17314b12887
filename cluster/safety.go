package cluster

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/redis/go-redis/v9"
)

// ErrUnsafeServer is wrapped by DialAcceptor when the server's
// configuration could break safety: it may evict keys, it is a replica,
// or it runs in cluster mode.
var ErrUnsafeServer = errors.New("cluster: unsafe Redis configuration for an acceptor")

// serverFacts is what DialAcceptor learns about a server. A setting that
// could not be read is absent from values and why is in unknown.
type serverFacts struct {
	values  map[string]string // maxmemory-policy, appendonly, appendfsync, save, role, cluster_enabled
	unknown map[string]string // setting -> why it could not be read
}

// configSettings are read with CONFIG GET, one per command, which every
// Redis version accepts.
var configSettings = []string{"maxmemory-policy", "appendonly", "appendfsync", "save"}

// readServerFacts reads the settings in one pipelined round trip. Servers
// that lack CONFIG or some INFO sections (miniredis, managed services,
// restricted ACL users) leave those settings unknown.
func readServerFacts(ctx context.Context, rdb *redis.Client) serverFacts {
	facts := serverFacts{values: map[string]string{}, unknown: map[string]string{}}
	pipe := rdb.Pipeline()
	configs := make([]*redis.MapStringStringCmd, len(configSettings))
	for i, name := range configSettings {
		configs[i] = pipe.ConfigGet(ctx, name)
	}
	replication := pipe.Info(ctx, "replication")
	cluster := pipe.Info(ctx, "cluster")
	_, _ = pipe.Exec(ctx) // each command keeps its own error

	for i, name := range configSettings {
		vals, err := configs[i].Result()
		v, ok := vals[name]
		switch {
		case err != nil:
			facts.unknown[name] = unverifiable(err, "CONFIG GET")
		case !ok:
			facts.unknown[name] = "the server does not report it"
		default:
			facts.values[name] = v
		}
	}
	readInfo(facts, replication, "role", "INFO replication")
	readInfo(facts, cluster, "cluster_enabled", "INFO cluster")
	return facts
}

// unverifiable says why a setting could not be read, shortly when the
// server simply lacks the command (miniredis, managed services).
func unverifiable(err error, command string) string {
	msg := err.Error()
	if strings.Contains(msg, "unknown command") || strings.Contains(msg, "not supported") {
		return "the server has no " + command
	}
	return command + ": " + msg
}

// readInfo records field of an INFO section.
func readInfo(facts serverFacts, cmd *redis.StringCmd, field, command string) {
	text, err := cmd.Result()
	if err != nil {
		facts.unknown[field] = unverifiable(err, command)
		return
	}
	for line := range strings.Lines(text) {
		if k, v, ok := strings.Cut(strings.TrimSpace(line), ":"); ok && k == field {
			facts.values[field] = v
			return
		}
	}
	facts.unknown[field] = "the server does not report it"
}

// assessServer turns facts into a refusal (wrapping ErrUnsafeServer) or a
// list of warnings, in words a user can act on.
func assessServer(f serverFacts, allowEviction, inMemoryOK bool) ([]string, error) {
	var warnings []string
	if role, ok := f.values["role"]; ok && role != "master" {
		return nil, fmt.Errorf("%w: the server is a replica (role %s): an acceptor must be a primary, or its state could be overwritten by replication", ErrUnsafeServer, role)
	}
	if f.values["cluster_enabled"] == "1" {
		return nil, fmt.Errorf("%w: the server runs in cluster mode: an acceptor must be a standalone Redis (gryadka does the replication itself)", ErrUnsafeServer)
	}
	if policy, ok := f.values["maxmemory-policy"]; ok && policy != "noeviction" {
		why := fmt.Sprintf("maxmemory-policy is %s: when memory runs out Redis may evict acceptor state, and an evicted promise silently breaks safety", policy)
		if !allowEviction {
			return nil, fmt.Errorf("%w: %s; set maxmemory-policy noeviction", ErrUnsafeServer, why)
		}
		warnings = append(warnings, why+" (allowed on request)")
	}
	if !inMemoryOK {
		warnings = append(warnings, persistenceWarnings(f)...)
	}
	warnings = append(warnings, unknownWarnings(f, inMemoryOK)...)
	return warnings, nil
}

// persistenceWarnings says how much a restart or a crash can forget.
func persistenceWarnings(f serverFacts) []string {
	aof, aofKnown := f.values["appendonly"]
	save, saveKnown := f.values["save"]
	fsync, fsyncKnown := f.values["appendfsync"]
	switch {
	case aofKnown && aof == "yes" && fsyncKnown && fsync != "always":
		return []string{fmt.Sprintf("appendfsync is %s, not always: a crash of the machine can lose promises the node already gave", fsync)}
	case aofKnown && aof == "no" && saveKnown && strings.TrimSpace(save) == "":
		return []string{"no persistence (appendonly no, no save points): a restarted node forgets its promises, which breaks safety; use appendonly yes and appendfsync always"}
	case aofKnown && aof == "no" && saveKnown:
		return []string{"only RDB snapshots (appendonly no): a restarted node forgets the promises given since its last snapshot; use appendonly yes and appendfsync always"}
	}
	return nil
}

// unknownWarnings lists the settings that could not be verified, merged
// into one line per group. Persistence is skipped when in memory is OK.
func unknownWarnings(f serverFacts, inMemoryOK bool) []string {
	groups := []struct {
		what     string
		settings []string
		skip     bool
	}{
		{"the eviction policy", []string{"maxmemory-policy"}, false},
		{"persistence", []string{"appendonly", "appendfsync", "save"}, inMemoryOK},
		{"that the server is a primary", []string{"role"}, false},
		{"that cluster mode is off", []string{"cluster_enabled"}, false},
	}
	var out []string
	for _, g := range groups {
		if g.skip {
			continue
		}
		for _, s := range g.settings {
			if why, ok := f.unknown[s]; ok {
				out = append(out, fmt.Sprintf("could not verify %s: %s", g.what, why))
				break
			}
		}
	}
	return out
}
