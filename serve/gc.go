package serve

import (
	"net/http"

	"github.com/gryadka/gryadka/gc"
	"github.com/gryadka/gryadka/paxos"
)

// InvalidateRequest is the body of POST /admin/gc/invalidate: step 2 of
// a garbage collection (package gc) for one key. Tombstone is the ballot
// the collector replicated the key's tombstone under, as Ballot.String
// writes it ("7:gc.1f3a9c02").
type InvalidateRequest struct {
	Key       string `json:"key"`
	Tombstone string `json:"tombstone"`
}

// AgeRequest is the optional body of POST /admin/gc/age: step 3 of a
// garbage collection. Without AtLeast (or with 0) the proposer's age is
// raised by one. With AtLeast, it is raised by one only when it is below
// AtLeast, and left as it is otherwise.
//
// AtLeast makes a retried request safe: a collector names one more than
// the age it last saw from this proposer after invalidating (the answer of
// /admin/gc/invalidate), so a request repeated after a lost answer finds
// the age already there and raises nothing a second time. Raising once
// after the invalidation is what the fence needs: every round that began
// before it carries an age below the new one. Two requests at once may
// both raise it: a higher age fences as well.
type AgeRequest struct {
	AtLeast uint64 `json:"at_least,omitempty"`
}

// handleInvalidate drops the key's cached state and moves the ballot
// counter past the tombstone. Doing it twice does what doing it once
// does. It answers the proposer's age after the invalidation, which the
// collector's next age request builds on.
func (s *Server) handleInvalidate(w http.ResponseWriter, r *http.Request) {
	var req InvalidateRequest
	if !decodeBody(w, r, &req, false) {
		return
	}
	if req.Key == "" {
		badRequest(w, "the key is empty")
		return
	}
	b, err := paxos.ParseBallot(req.Tombstone)
	if err != nil || b.IsZero() {
		badRequest(w, "the tombstone %q is not a ballot such as 7:gc.1f3a9c02", req.Tombstone)
		return
	}
	s.proposer.Invalidate(req.Key, b)
	writeJSON(w, http.StatusOK, gc.Age{Proposer: s.proposer.ID(), Age: s.proposer.Age()})
}

// handleRaiseAge raises the proposer's age as AgeRequest describes and
// answers it.
func (s *Server) handleRaiseAge(w http.ResponseWriter, r *http.Request) {
	var req AgeRequest
	if !decodeBody(w, r, &req, true) {
		return
	}
	age := s.proposer.Age()
	if req.AtLeast == 0 || age < req.AtLeast {
		age = s.proposer.RaiseAge()
	}
	writeJSON(w, http.StatusOK, gc.Age{Proposer: s.proposer.ID(), Age: age})
}
