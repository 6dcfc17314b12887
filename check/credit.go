package check

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"

	"github.com/anishathalye/porcupine"
)

// An operation of unknown outcome may take effect at any time after its
// invocation, or never. Left open until the end of the history, as
// porcupine's documentation suggests, each one doubles the search: the
// checker cannot tell that such operations are interchangeable. So prepare
// rewrites most of them before the search, in three ways, each accepting
// exactly the histories the open operations accept
// (TestCheck_CreditsMatchOpenOperations compares the two on random
// histories):
//
//   - A set or compare-and-set whose value some operation read, where no
//     other write could have given that value, took effect before the
//     first such read returned: that becomes its return. Between the two
//     only increments can have applied, since any other write replaces
//     the value, so the read also tells its version.
//   - A compare-and-set whose version was gone before it was invoked
//     cannot apply: it is left out.
//   - The others (increments, deletes, sets and compare-and-sets whose
//     value nobody read) become credits: instant operations at their
//     invocation that later operations may spend, applying them right
//     before themselves. A credit spent is the operation taking effect at
//     that point; a credit never spent is one that never took effect, or
//     only after the last operation. A delete applies only to a key with
//     a value, a compare-and-set only at its version, and a value never
//     read leaves the key "blind": no operation may read it until another
//     write.
//
// A set or compare-and-set whose value was read, but where another write
// could have given the same value, stays open. Workloads avoid that, and
// its cost, by writing values of their own, valueSpan apart and far from
// 0, as etcd's robustness tests also do.

// valueSpan is how far apart the workloads write their values, so that
// increments never carry one write's value to another's and a value read
// tells which write it came from.
const valueSpan = 1 << 20

// creditKind tells which credit an operation is.
type creditKind uint8

const (
	creditNone creditKind = iota
	creditIncr
	creditSet
	creditCAS
	creditDelete
)

// credited is the model's state: the register and its unspent credits.
// CASes holds the expected versions of the compare-and-set credits, sorted,
// 8 bytes each, so that the state stays comparable; those below the
// register's version can never apply and are dropped.
type credited struct {
	register
	Incrs   uint64
	Sets    uint64
	Deletes uint64
	CASes   string
}

func (c credited) String() string {
	s := c.register.String()
	if n := c.Incrs + c.Sets + c.Deletes + uint64(len(c.CASes)/8); n > 0 {
		s += fmt.Sprintf(" (+%d unknown writes pending)", n)
	}
	return s
}

func (c credited) cases() []uint64 {
	out := make([]uint64, len(c.CASes)/8)
	for i := range out {
		out[i] = binary.BigEndian.Uint64([]byte(c.CASes[8*i:]))
	}
	return out
}

func encodeCASes(versions []uint64, floor uint64) string {
	var b []byte
	for _, v := range versions {
		if v >= floor {
			b = binary.BigEndian.AppendUint64(b, v)
		}
	}
	return string(b)
}

func (c credited) step(in Input, out Output) []any {
	switch out.credit {
	case creditIncr:
		c.Incrs++
		return []any{c}
	case creditSet:
		c.Sets++
		return []any{c}
	case creditCAS:
		cases := append(c.cases(), in.Version)
		slices.Sort(cases)
		c.CASes = encodeCASes(cases, c.Version)
		return []any{c}
	case creditDelete:
		c.Deletes++
		return []any{c}
	}
	var next []any
	for _, s := range c.spend(out) {
		if ok, r := s.register.step(in, out); ok {
			s.register = r
			next = append(next, s.pruned())
		}
	}
	return next
}

// spend returns every state c can reach by applying some of its credits,
// in some order. An output that shows a version bounds how many. States
// are explored one write at a time, merging equal ones.
func (c credited) spend(out Output) []credited {
	lo, hi := uint64(0), c.Incrs+c.Sets+c.Deletes+uint64(len(c.CASes)/8)
	if out.Versioned && out.Outcome != OutcomeUnknown {
		if out.Version < c.Version {
			return nil
		}
		d := out.Version - c.Version // the operation itself may add one
		lo, hi = max(d, 1)-1, min(d, hi)
	}
	var states []credited
	layer := []credited{c}
	for k := uint64(0); len(layer) > 0; k++ {
		if k >= lo {
			states = append(states, layer...)
		}
		if k == hi {
			break
		}
		next := map[credited]bool{}
		for _, s := range layer {
			s.applyOne(next)
		}
		layer = slices.Collect(maps.Keys(next))
	}
	return states
}

// applyOne adds to into every state c reaches by applying one credit.
func (c credited) applyOne(into map[credited]bool) {
	blind := register{Exists: true, Blind: true, Version: c.Version + 1}
	if c.Incrs > 0 {
		n := c
		n.Incrs--
		n.register = c.add(1)
		into[n.pruned()] = true
	}
	if c.Sets > 0 {
		n := c
		n.Sets--
		n.register = blind
		into[n.pruned()] = true
	}
	if c.Deletes > 0 && c.Exists {
		n := c
		n.Deletes--
		n.register = register{Version: c.Version + 1}
		into[n.pruned()] = true
	}
	cases := c.cases()
	if i, found := slices.BinarySearch(cases, c.Version); found {
		n := c
		n.CASes = encodeCASes(slices.Delete(cases, i, i+1), 0)
		n.register = blind
		into[n.pruned()] = true
	}
}

// pruned drops the compare-and-set credits that can no longer apply.
func (c credited) pruned() credited {
	c.CASes = encodeCASes(c.cases(), c.Version)
	return c
}

// origins tells which writes a value read in one key's history can come
// from: the value a set or a compare-and-set wrote, or 0 for a missing
// key, plus the increments applied since.
type origins struct {
	incrs  int64   // increments that may have applied
	writes []int64 // values sets and compare-and-sets may have written, sorted
}

// count returns how many writes value v can come from.
func (o origins) count(v int64) int {
	lo := sort.Search(len(o.writes), func(i int) bool { return o.writes[i] >= subSat(v, o.incrs) })
	hi := sort.Search(len(o.writes), func(i int) bool { return o.writes[i] > v })
	n := hi - lo
	if v >= 1 && v <= o.incrs { // increments from a missing key
		n++
	}
	return n
}

// addSat and subSat add and subtract n >= 0, stopping at the int64 limits.
func addSat(v, n int64) int64 {
	if v > math.MaxInt64-n {
		return math.MaxInt64
	}
	return v + n
}

func subSat(v, n int64) int64 {
	if v < math.MinInt64+n {
		return math.MinInt64
	}
	return v - n
}

// prepare turns the operations of one key into porcupine operations:
// failed operations and unknown reads are left out (they changed and saw
// nothing), compare-and-sets of unknown outcome whose version was already
// gone when they were invoked are left out (they cannot apply), and other
// unknown operations become credits where they can. It returns the
// operations and how many of them have an unknown outcome.
func prepare(ops []Op) ([]porcupine.Operation, int) {
	type done struct {
		ret     int64
		version uint64
	}
	type reading struct {
		value int64
		at    done
		known bool // the reader was told the version
	}
	var seen []reading  // values read, sorted by value
	var versions []done // versions reported, by return time
	var from origins
	for _, op := range ops {
		o := op.Output
		if o.Outcome == OutcomeOK && o.Exists {
			seen = append(seen, reading{o.Value, done{op.Return, o.Version}, o.Versioned})
		}
		if (o.Outcome == OutcomeOK || o.Outcome == OutcomeRefused) && o.Versioned {
			versions = append(versions, done{op.Return, o.Version})
		}
		if o.Outcome == OutcomeOK || o.Outcome == OutcomeUnknown {
			switch op.Input.Kind {
			case OpIncr:
				from.incrs++
			case OpSet, OpCAS:
				from.writes = append(from.writes, op.Input.Value)
			}
		}
	}
	slices.SortFunc(seen, func(a, b reading) int { return cmp.Compare(a.value, b.value) })
	slices.SortFunc(versions, func(a, b done) int { return cmp.Compare(a.ret, b.ret) })
	slices.Sort(from.writes)
	for i := 1; i < len(versions); i++ {
		versions[i].version = max(versions[i].version, versions[i-1].version)
	}
	// firstRead looks for the operations that read value v, written by
	// op, or a value increments derived from it. It returns the first to
	// return of those that only op could have given the value, and
	// whether any read could have come from op.
	firstRead := func(v int64) (first reading, found, maybe bool) {
		i := sort.Search(len(seen), func(i int) bool { return seen[i].value >= v })
		for ; i < len(seen) && seen[i].value <= addSat(v, from.incrs); i++ {
			maybe = true
			if from.count(seen[i].value) == 1 && (!found || seen[i].at.ret < first.at.ret) {
				first, found = seen[i], true
			}
		}
		return first, found, maybe
	}
	gone := func(op Op) bool { // a version above the expected one was reported before the call
		i := sort.Search(len(versions), func(i int) bool { return versions[i].ret >= op.Call })
		return i > 0 && versions[i-1].version > op.Input.Version
	}

	var out []porcupine.Operation
	unknown := 0
	for _, op := range ops {
		o := op.Output
		if o.Outcome == OutcomeFailed || o.Outcome == OutcomeUnknown && op.Input.Kind == OpGet {
			continue
		}
		ret := op.Return
		if o.Outcome == OutcomeUnknown {
			writes := op.Input.Kind == OpSet || op.Input.Kind == OpCAS
			var first reading
			var wasRead, mayBeRead bool
			if writes {
				first, wasRead, mayBeRead = firstRead(op.Input.Value)
			}
			switch {
			case op.Input.Kind == OpCAS && gone(op):
				continue
			case wasRead:
				// Its value was read, so it took effect before that read
				// returned; between the two only increments can have
				// applied, as any other write replaces the value, so the
				// read also tells its version.
				ret = max(first.at.ret, op.Call)
				if first.known {
					o = Output{Outcome: OutcomeOK, Exists: true, Value: op.Input.Value, Versioned: true,
						Version: first.at.version - uint64(first.value-op.Input.Value)}
				}
			case mayBeRead:
				// Its value was read, but may have come from another
				// write: it stays open to the end of the history.
			case op.Input.Kind == OpIncr:
				o.credit = creditIncr
			case op.Input.Kind == OpSet:
				o.credit = creditSet
			case op.Input.Kind == OpCAS:
				o.credit = creditCAS
			case op.Input.Kind == OpDelete:
				o.credit = creditDelete
			}
			unknown++
		}
		if o.credit != creditNone {
			ret = op.Call
		}
		out = append(out, porcupine.Operation{ClientId: op.Client, Input: op.Input, Output: o, Call: op.Call, Return: ret})
	}
	return out, unknown
}
