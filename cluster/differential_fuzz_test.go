package cluster

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/gryadka/gryadka/paxos"
)

// The alphabet of the differential tests: counters around the places where
// doubles or half-splits go wrong, proposers whose byte order differs from
// a locale's, and values where nil and empty must stay apart.
var (
	accTestCounters = []uint64{
		1, 2, 3, 4, 5, 9999999999, 10000000000, 1 << 53, 1<<53 + 1,
		math.MaxUint64 - 1, math.MaxUint64,
	}
	accTestProposers = []string{"a", "b", "Z", "p", "p.1", "p.2", "a-1", "a_1"}
	accTestValues    = [][]byte{nil, {}, []byte("x"), []byte("y"), []byte("\x00\xff\r\n")}
	accTestKeys      = []string{"k", "k:1", "ключ"}
)

// accTestOp is one call of a differential sequence.
type accTestOp struct {
	accept  bool
	remove  bool // the garbage collector's removal, with b as the tombstone
	key     string
	b, next paxos.Ballot
	value   []byte
}

func (op accTestOp) String() string {
	switch {
	case op.accept:
		return fmt.Sprintf("accept %s %s value=%q next=%s", op.key, op.b, op.value, op.next)
	case op.remove:
		return fmt.Sprintf("remove %s %s", op.key, op.b)
	}
	return fmt.Sprintf("prepare %s %s", op.key, op.b)
}

// accTestDecodeOps reads up to 64 calls from data, four bytes each: kind
// and key, ballot, next ballot (0 = none) and value. A prepare whose value
// byte has its top bit set is a removal instead, which raises the floor.
func accTestDecodeOps(data []byte) []accTestOp {
	ballot := func(c byte) paxos.Ballot {
		n := int(c)
		return paxos.Ballot{
			Counter:  accTestCounters[n%len(accTestCounters)],
			Proposer: accTestProposers[n/len(accTestCounters)%len(accTestProposers)],
		}
	}
	var ops []accTestOp
	for len(data) >= 4 && len(ops) < 64 {
		op := accTestOp{
			accept: data[0]&1 == 1,
			key:    accTestKeys[int(data[0]>>1)%len(accTestKeys)],
			b:      ballot(data[1]),
			value:  accTestValues[int(data[3])%len(accTestValues)],
		}
		op.remove = !op.accept && data[3]&0x80 != 0
		if data[2] != 0 {
			op.next = ballot(data[2])
		}
		ops = append(ops, op)
		data = data[4:]
	}
	return ops
}

// accTestDifferential runs ops on a fresh paxos.MemAcceptor and on a, and
// fails at the first answer or final state where they differ.
func accTestDifferential(t testing.TB, a *RedisAcceptor, ops []accTestOp) {
	t.Helper()
	ctx := context.Background()
	mem := paxos.NewMemAcceptor(a.Name())
	for i, op := range ops {
		var memP, redisP paxos.Promise
		var memRemoved, redisRemoved bool
		var memErr, redisErr error
		switch {
		case op.accept:
			memErr = mem.Accept(ctx, op.key, op.b, op.value, op.next)
			redisErr = a.Accept(ctx, op.key, op.b, op.value, op.next)
		case op.remove:
			memRemoved, memErr = mem.Remove(ctx, op.key, op.b)
			redisRemoved, redisErr = a.Remove(ctx, op.key, op.b)
		default:
			memP, memErr = mem.Prepare(ctx, op.key, op.b)
			redisP, redisErr = a.Prepare(ctx, op.key, op.b)
		}
		if !accTestSameError(memErr, redisErr) || !reflect.DeepEqual(memP, redisP) || memRemoved != redisRemoved {
			t.Fatalf("op %d (%s): MemAcceptor answered %+v, %v; RedisAcceptor answered %+v, %v", i, op, memP, memErr, redisP, redisErr)
		}
	}
	for _, key := range accTestKeys {
		have, err := a.State(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		if want := mem.State(key); !reflect.DeepEqual(want, have) {
			t.Fatalf("final state of %q: MemAcceptor has %#v, RedisAcceptor has %#v", key, want, have)
		}
	}
	if have, err := a.Floor(ctx); err != nil || have != mem.Floor() {
		t.Fatalf("final floor: MemAcceptor has %s, RedisAcceptor has %s, %v", mem.Floor(), have, err)
	}
}

func accTestSameError(want, have error) bool {
	if want == nil || have == nil {
		return want == nil && have == nil
	}
	var wc, hc *paxos.ConflictError
	return errors.As(want, &wc) && errors.As(have, &hc) && *wc == *hc
}

// FuzzAcceptor_Differential drives paxos.MemAcceptor and the Redis
// acceptor with the same calls and requires the same answers and final
// states. The Redis is an in-process miniredis, or a real redis-server
// with GRYADKA_FUZZ_BACKEND=redis-server.
func FuzzAcceptor_Differential(f *testing.F) {
	f.Add([]byte{0, 0, 0, 0, 1, 0, 0, 2})                                           // prepare, then accept at the same ballot
	f.Add([]byte{0, 10, 0, 0, 0, 9, 0, 0, 1, 9, 0, 1})                              // top of uint64, then one below
	f.Add([]byte{1, 7, 8, 0, 0, 8, 0, 0, 1, 7, 0, 1})                               // accept with next, prepare at next, stale accept
	f.Add([]byte{1, 11, 0, 1, 0, 22, 0, 0, 1, 33, 0, 0})                            // proposer order at one counter, empty then nil value
	f.Add([]byte{3, 5, 0, 3, 2, 6, 0, 0, 5, 7, 7, 4, 4, 8})                         // three keys
	f.Add([]byte{1, 3, 0, 1, 0, 3, 0, 0x80, 2, 2, 0, 0x80, 2, 1, 0, 0, 3, 1, 0, 1}) // remove, floor above another key's ballots
	var addr string
	if os.Getenv("GRYADKA_FUZZ_BACKEND") == "redis-server" {
		addr = accTestRedisServer(f)
	} else {
		addr = miniredis.RunT(f).Addr()
	}
	a := accTestDial(f, addr, nil)
	rdb := accTestClient(f, addr)
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := rdb.FlushAll(context.Background()).Err(); err != nil {
			t.Fatal(err)
		}
		accTestDifferential(t, a, accTestDecodeOps(data))
	})
}

// TestRedisAcceptor_DifferentialFixedSequences runs seeded random
// sequences on both backends, including a real redis-server, whose Lua
// and string handling differ from miniredis's.
func TestRedisAcceptor_DifferentialFixedSequences(t *testing.T) {
	accTestBackends(t, func(t *testing.T, addr string) {
		a := accTestDial(t, addr, nil)
		rdb := accTestClient(t, addr)
		rng := rand.New(rand.NewPCG(1, 2))
		for seq := range 100 {
			data := make([]byte, 4*40)
			for i := range data {
				data[i] = byte(rng.UintN(256))
			}
			if err := rdb.FlushAll(context.Background()).Err(); err != nil {
				t.Fatal(err)
			}
			t.Run(fmt.Sprint("seq", seq), func(t *testing.T) {
				accTestDifferential(t, a, accTestDecodeOps(data))
			})
		}
	})
}

// TestRedisAcceptor_BallotLuaAgreesWithParseBallot checks ballot.lua's
// parsing and order against paxos on tricky and random strings, on both
// backends.
func TestRedisAcceptor_BallotLuaAgreesWithParseBallot(t *testing.T) {
	probe := redis.NewScript(ballotLua + `
local ok = 0
if valid_ballot(ARGV[1]) then ok = 1 end
return {ok, cmp(ARGV[1], ARGV[2])}`)
	wires := []string{
		"", "0", "5:p", "00000000000000000005:p", "00000000000000000005:", "0000000000000000005:p",
		"00000000000000000000:p", "18446744073709551615:p", "18446744073709551616:p", "99999999999999999999:p",
		"00000000000000000005:p.1", "00000000000000000005:p.", "00000000000000000005:.1", "00000000000000000005:p.1.2",
		"00000000000000000005:p:1", "00000000000000000005:p 1", "00000000000000000005:ü", "0000000000000000000a:p",
		"+0000000000000000005:p", "00000000000000000005:" + strings.Repeat("p", 32), "00000000000000000005:" + strings.Repeat("p", 33),
		"00000000000000000005:a-_Z9.q-_Z9",
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for range 300 {
		b := []byte(paxos.Ballot{Counter: rng.Uint64(), Proposer: accTestProposers[rng.IntN(len(accTestProposers))]}.Wire())
		if rng.IntN(2) == 0 { // a mutated one
			b[rng.IntN(len(b))] = byte(rng.IntN(128))
		}
		wires = append(wires, string(b))
	}
	accTestBackends(t, func(t *testing.T, addr string) {
		rdb := accTestClient(t, addr)
		for i, w := range wires {
			other := wires[(i*7+3)%len(wires)]
			reply, err := probe.Run(context.Background(), rdb, nil, w, other).Int64Slice()
			if err != nil {
				t.Fatalf("%q: %v", w, err)
			}
			b, valid := parseWire(w)
			if goValid, luaValid := valid && !b.IsZero(), reply[0] == 1; goValid != luaValid {
				t.Errorf("%q: Lua says valid=%v, Go says %v", w, luaValid, goValid)
			}
			if o, ok := parseWire(other); valid && ok && int64(b.Compare(o)) != reply[1] {
				t.Errorf("cmp(%q, %q): Lua says %d, Go says %d", w, other, reply[1], b.Compare(o))
			}
		}
	})
}
