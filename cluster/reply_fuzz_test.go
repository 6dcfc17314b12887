package cluster

import (
	"bytes"
	"errors"
	"testing"

	"github.com/gryadka/gryadka/paxos"
)

const accTestWire5 = "00000000000000000005:p1"

func TestDecodeReply_Shapes(t *testing.T) {
	b5 := accTestBallot(5, "p1")
	tests := map[string]struct {
		phase paxos.Phase
		reply any
		want  paxos.Promise
		err   error // nil, a sentinel, or a *paxos.ConflictError
	}{
		"promise, nothing accepted": {paxos.PhasePrepare, []any{"promise", "", "0", ""}, paxos.Promise{}, nil},
		"promise with a value": {
			paxos.PhasePrepare, []any{"promise", "00000000000000000003:p2", "1", "v"},
			paxos.Promise{Accepted: accTestBallot(3, "p2"), Value: []byte("v")}, nil,
		},
		"promise with an empty value": {
			paxos.PhasePrepare, []any{"promise", "00000000000000000003:p2", "1", ""},
			paxos.Promise{Accepted: accTestBallot(3, "p2"), Value: []byte{}}, nil,
		},
		"accepted":                  {paxos.PhaseAccept, []any{"accepted"}, paxos.Promise{}, nil},
		"prepare conflict at equal": {paxos.PhasePrepare, []any{"conflict", accTestWire5}, paxos.Promise{}, &paxos.ConflictError{Phase: paxos.PhasePrepare, Acceptor: "a1", Proposed: b5, Seen: b5}},
		"identity":                  {paxos.PhaseAccept, []any{"identity", ""}, paxos.Promise{}, ErrIdentityMismatch},
		"corrupt":                   {paxos.PhaseAccept, []any{"corrupt", "promise", "x"}, paxos.Promise{}, ErrCorruptState},
		"bad argument":              {paxos.PhasePrepare, []any{"badarg", "ballot", ""}, paxos.Promise{}, ErrBadArgument},
		"accept conflict at equal":  {paxos.PhaseAccept, []any{"conflict", accTestWire5}, paxos.Promise{}, ErrBadReply},
		"conflict below":            {paxos.PhasePrepare, []any{"conflict", "00000000000000000004:p1"}, paxos.Promise{}, ErrBadReply},
		"promise to an accept":      {paxos.PhaseAccept, []any{"promise", "", "0", ""}, paxos.Promise{}, ErrBadReply},
		"value flag without ballot": {paxos.PhasePrepare, []any{"promise", "", "1", "v"}, paxos.Promise{}, ErrBadReply},
		"short form ballot":         {paxos.PhasePrepare, []any{"conflict", "x:y:z"}, paxos.Promise{}, ErrBadReply},
		"not an array":              {paxos.PhasePrepare, "OK", paxos.Promise{}, ErrBadReply},
		"an integer inside":         {paxos.PhasePrepare, []any{"promise", int64(1), "0", ""}, paxos.Promise{}, ErrBadReply},
		"empty":                     {paxos.PhasePrepare, []any{}, paxos.Promise{}, ErrBadReply},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			rc := replyContext{phase: tt.phase, node: "a1", key: "k", ballot: b5}
			have, err := decodeReply(rc, tt.reply)
			var wantConflict *paxos.ConflictError
			switch {
			case errors.As(tt.err, &wantConflict):
				var ce *paxos.ConflictError
				if !errors.As(err, &ce) || *ce != *wantConflict {
					t.Fatalf("want %v, have %v", tt.err, err)
				}
			case !errors.Is(err, tt.err):
				t.Fatalf("want %v, have %v", tt.err, err)
			}
			if have.Accepted != tt.want.Accepted || !bytes.Equal(have.Value, tt.want.Value) || (have.Value == nil) != (tt.want.Value == nil) {
				t.Errorf("want %#v, have %#v", tt.want, have)
			}
		})
	}
}

// FuzzDecodeReply feeds arbitrary arrays of strings to the decoder: it
// must never panic, and whatever it accepts must match the reply exactly.
// The input is the phase byte, then the elements separated by 0x1f.
func FuzzDecodeReply(f *testing.F) {
	// Real replies of the scripts.
	for _, seed := range []string{
		"\x01promise\x1f\x1f0\x1f",
		"\x01promise\x1f" + accTestWire5 + "\x1f1\x1fvalue",
		"\x01promise\x1f" + accTestWire5 + "\x1f1\x1f",
		"\x02accepted",
		"\x01conflict\x1f00000000000000000009:p2.x",
		"\x02conflict\x1f18446744073709551615:z",
		"\x02identity\x1fc2",
		"\x01corrupt\x1fpromise\x1fgarbage",
		"\x02badarg\x1fnext\x1f1:p",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		phase := paxos.PhasePrepare
		if data[0]%2 == 0 {
			phase = paxos.PhaseAccept
		}
		var reply []any
		for part := range bytes.SplitSeq(data[1:], []byte{0x1f}) {
			reply = append(reply, string(part))
		}
		b5 := accTestBallot(5, "p1")
		rc := replyContext{phase: phase, node: "a1", key: "k", ballot: b5}
		p, err := decodeReply(rc, reply)
		var ce *paxos.ConflictError
		switch {
		case err == nil && phase == paxos.PhaseAccept:
			if len(reply) != 1 || reply[0] != "accepted" {
				t.Fatalf("accepted %q", reply)
			}
		case err == nil:
			if len(reply) != 4 || reply[0] != "promise" || p.Accepted.Wire() != reply[1] || (p.Value != nil) != (reply[2] == "1") || string(p.Value) != reply[3] {
				t.Fatalf("promise %+v from %q", p, reply)
			}
		case errors.As(err, &ce):
			if ce.Seen.Wire() != reply[1] || ce.Seen.Less(b5) || ce.Phase != phase || ce.Acceptor != "a1" || ce.Proposed != b5 {
				t.Fatalf("conflict %+v from %q", ce, reply)
			}
		case errors.Is(err, ErrIdentityMismatch), errors.Is(err, ErrCorruptState),
			errors.Is(err, ErrBadArgument), errors.Is(err, ErrBadReply):
		default:
			t.Fatalf("unclassified error %v from %q", err, reply)
		}
	})
}
