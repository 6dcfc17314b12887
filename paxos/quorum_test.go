package paxos_test

import (
	"errors"
	"math/rand"
	"reflect"
	"strings"
	"testing"
	"testing/quick"

	"github.com/gryadka/gryadka/paxos"
)

// pick returns the acceptors of all with the given indexes.
func pick(all []*paxos.MemAcceptor, idx ...int) []paxos.Acceptor {
	out := make([]paxos.Acceptor, len(idx))
	for i, j := range idx {
		out[i] = all[j]
	}
	return out
}

// From the paper: CASPaxos is safe as long as every prepare quorum
// intersects every accept quorum ("flexible quorums").
func TestConfig_ValidateRefusesQuorumsThatCanMiss(t *testing.T) {
	a := memAcceptors(5)
	dup := paxos.NewMemAcceptor("a1")
	for name, tc := range map[string]struct {
		cfg    paxos.Config
		want   string // "" for a valid config; else a phrase of the error
		unsafe bool   // the error wraps ErrUnsafeConfig
	}{
		"majority of 3":           {paxos.Majority(pick(a, 0, 1, 2)...), "", false},
		"majority of 1":           {paxos.Majority(pick(a, 0)...), "", false},
		"majority of 4":           {paxos.Majority(pick(a, 0, 1, 2, 3)...), "", false},
		"flexible 3/4 + 2/4":      {paxos.Config{Prepare: pick(a, 0, 1, 2, 3), PrepareQuorum: 3, Accept: pick(a, 0, 1, 2, 3), AcceptQuorum: 2}, "", false},
		"flexible 2/4 + 3/4":      {paxos.Config{Prepare: pick(a, 0, 1, 2, 3), PrepareQuorum: 2, Accept: pick(a, 0, 1, 2, 3), AcceptQuorum: 3}, "", false},
		"flexible 2/4 + 2/4":      {paxos.Config{Prepare: pick(a, 0, 1, 2, 3), PrepareQuorum: 2, Accept: pick(a, 0, 1, 2, 3), AcceptQuorum: 2}, "can be disjoint", true},
		"all 3 prepare, 1 accept": {paxos.Config{Prepare: pick(a, 0, 1, 2), PrepareQuorum: 3, Accept: pick(a, 0, 1, 2), AcceptQuorum: 1}, "", false},
		"quorums of one":          {paxos.Config{Prepare: pick(a, 0, 1, 2), PrepareQuorum: 1, Accept: pick(a, 0, 1, 2), AcceptQuorum: 1}, "can be disjoint", true},
		"grow: prepare 3/4, accept 2/3": {paxos.Config{Prepare: pick(a, 0, 1, 2, 3), PrepareQuorum: 3,
			Accept: pick(a, 0, 1, 2), AcceptQuorum: 2}, "", false},
		"disjoint sets": {paxos.Config{Prepare: pick(a, 0, 1), PrepareQuorum: 2, Accept: pick(a, 2, 3), AcceptQuorum: 2},
			"must add up to more than 4", true},
		"unsafe marked": {paxos.Config{Prepare: pick(a, 0, 1, 2), PrepareQuorum: 1, Accept: pick(a, 0, 1, 2), AcceptQuorum: 1,
			Unsafe: true}, "", false},
		"empty prepare set": {paxos.Config{Accept: pick(a, 0), AcceptQuorum: 1}, "prepare set is empty", false},
		"empty accept set":  {paxos.Config{Prepare: pick(a, 0), PrepareQuorum: 1}, "accept set is empty", false},
		"zero quorum": {paxos.Config{Prepare: pick(a, 0, 1, 2), PrepareQuorum: 0, Accept: pick(a, 0, 1, 2), AcceptQuorum: 3},
			"prepare quorum 0 is impossible with 3 acceptors", false},
		"quorum above set": {paxos.Config{Prepare: pick(a, 0, 1, 2), PrepareQuorum: 2, Accept: pick(a, 0, 1, 2), AcceptQuorum: 4},
			"accept quorum 4 is impossible with 3 acceptors", false},
		"unsafe does not excuse a bad size": {paxos.Config{Prepare: pick(a, 0), PrepareQuorum: 2, Accept: pick(a, 0),
			AcceptQuorum: 1, Unsafe: true}, "prepare quorum 2 is impossible", false},
		"duplicate name": {paxos.Config{Prepare: []paxos.Acceptor{a[0], a[1], dup}, PrepareQuorum: 2,
			Accept: pick(a, 0, 1, 2), AcceptQuorum: 2}, "acceptor a1 appears twice in the prepare set", false},
	} {
		t.Run(name, func(t *testing.T) {
			err := tc.cfg.Validate()
			if tc.want == "" {
				if err != nil {
					t.Fatalf("%s: want valid, have %v", tc.cfg, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("%s: want an error about %q, have none", tc.cfg, tc.want)
			}
			if have := err.Error(); !strings.Contains(have, tc.want) {
				t.Errorf("want an error about %q, have %q", tc.want, have)
			}
			if want, have := tc.unsafe, errors.Is(err, paxos.ErrUnsafeConfig); want != have {
				t.Errorf("errors.Is(err, ErrUnsafeConfig): want %v, have %v (%v)", want, have, err)
			}
		})
	}
}

func TestNewProposer_RefusesAnUnsafeConfig(t *testing.T) {
	a := memAcceptors(3)
	cfg := paxos.Config{Prepare: asAcceptors(a), PrepareQuorum: 1, Accept: asAcceptors(a), AcceptQuorum: 2}
	_, err := paxos.NewProposer(paxos.Options{ID: "p1", Config: cfg})
	if !errors.Is(err, paxos.ErrUnsafeConfig) {
		t.Fatalf("want ErrUnsafeConfig, have %v", err)
	}
	p := newProposer(t, paxos.Majority(asAcceptors(a)...), paxos.Options{})
	if err := p.SetConfig(cfg); !errors.Is(err, paxos.ErrUnsafeConfig) {
		t.Fatalf("SetConfig: want ErrUnsafeConfig, have %v", err)
	}
	if want, have := paxos.Majority(asAcceptors(a)...).String(), p.Config().String(); want != have {
		t.Errorf("a refused SetConfig must keep the old config: want %s, have %s", want, have)
	}
}

// quorumShape is a random configuration over at most six acceptors.
type quorumShape struct {
	Prepare, Accept []int // indexes into the universe
	PQ, AQ          int
}

// Generate implements quick.Generator: non-empty sets, possible quorums.
func (quorumShape) Generate(r *rand.Rand, _ int) reflect.Value {
	subset := func() []int {
		for {
			var s []int
			for i := range 6 {
				if r.Intn(2) == 0 {
					s = append(s, i)
				}
			}
			if len(s) > 0 {
				return s
			}
		}
	}
	s := quorumShape{Prepare: subset(), Accept: subset()}
	s.PQ = 1 + r.Intn(len(s.Prepare))
	s.AQ = 1 + r.Intn(len(s.Accept))
	return reflect.ValueOf(s)
}

// naiveIntersect enumerates every prepare quorum and every accept quorum
// and reports whether each pair shares an acceptor.
func naiveIntersect(s quorumShape) bool {
	quorums := func(set []int, size int) []uint {
		var out []uint
		for mask := range uint(1) << len(set) {
			var q uint
			n := 0
			for i, a := range set {
				if mask&(1<<i) != 0 {
					q |= 1 << a
					n++
				}
			}
			if n == size {
				out = append(out, q)
			}
		}
		return out
	}
	for _, p := range quorums(s.Prepare, s.PQ) {
		for _, a := range quorums(s.Accept, s.AQ) {
			if p&a == 0 {
				return false
			}
		}
	}
	return true
}

func TestConfig_ValidateMatchesEveryQuorumPairIntersecting(t *testing.T) {
	universe := memAcceptors(6)
	validate := func(s quorumShape) bool {
		cfg := paxos.Config{Prepare: pick(universe, s.Prepare...), PrepareQuorum: s.PQ,
			Accept: pick(universe, s.Accept...), AcceptQuorum: s.AQ}
		return cfg.Validate() == nil
	}
	if err := quick.CheckEqual(validate, naiveIntersect, &quick.Config{MaxCount: 5000}); err != nil {
		t.Error(err)
	}
}

func TestConfig_QuorumMissing(t *testing.T) {
	accs := []paxos.Acceptor{paxos.NewMemAcceptor("a1"), paxos.NewMemAcceptor("a2"), paxos.NewMemAcceptor("a3"), paxos.NewMemAcceptor("a4")}
	flexible := paxos.Config{Prepare: accs[:3], PrepareQuorum: 2, Accept: accs, AcceptQuorum: 3}
	tests := map[string]struct {
		up   []string
		want string
	}{
		"all up":         {[]string{"a1", "a2", "a3", "a4"}, ""},
		"just enough":    {[]string{"a1", "a2", "a4"}, ""},
		"prepare misses": {[]string{"a1", "a4"}, "1 of the 3 prepare nodes answered, 2 needed"},
		"accept misses":  {[]string{"a1", "a2"}, "2 of the 4 accept nodes answered, 3 needed"},
		"none":           {nil, "0 of the 3 prepare nodes answered, 2 needed"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			up := map[string]bool{}
			for _, n := range tt.up {
				up[n] = true
			}
			if have := flexible.QuorumMissing(up); have != tt.want {
				t.Errorf("want %q, have %q", tt.want, have)
			}
		})
	}
}
