package serve

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/gryadka/gryadka/kv"
	"github.com/gryadka/gryadka/paxos"
)

// Errors a Client returns for the Problem codes of the API. Each answer
// with a Problem comes back as a *ProblemError, which matches the sentinel
// of its code with errors.Is, and also the kv or paxos error of the same
// meaning (kv.ErrVersionMismatch, kv.ErrNotFound, kv.ErrConflict,
// kv.ErrUnknownOutcome, paxos.ErrNoQuorum), so code written against a
// kv.Store can test a Client's errors the same way.
var (
	// ErrBadRequest: the server refused the request as malformed (key,
	// body, value or expression); nothing changed.
	ErrBadRequest = errors.New("serve: bad request")
	// ErrNotFound: the key does not exist (a delete of an absent key), or
	// the route does not.
	ErrNotFound = errors.New("serve: not found")
	// ErrVersionMismatch: a CAS named a version the key is not at; nothing
	// changed. ProblemError.Problem.Value holds the key's state.
	ErrVersionMismatch = errors.New("serve: version mismatch")
	// ErrStaleConfig: a PUT /config named a version that is not the
	// current one; nothing changed. Read the configuration and retry.
	ErrStaleConfig = errors.New("serve: stale configuration version")
	// ErrConflict: other proposers kept winning the key; nothing changed.
	ErrConflict = errors.New("serve: conflict")
	// ErrNoQuorum: too few acceptors answered; nothing changed.
	ErrNoQuorum = errors.New("serve: no quorum")
	// ErrUnknownOutcome: the change may or may not have been applied; only
	// a later read can tell.
	ErrUnknownOutcome = errors.New("serve: outcome unknown")
	// ErrInternal: the server failed in a way the other codes do not cover.
	ErrInternal = errors.New("serve: internal error")
	// ErrBadAddress: NewClient was given an address that is not an
	// http:// or https:// URL of a server.
	ErrBadAddress = errors.New("serve: bad server address")
)

// Problem codes, as in Problem.Code.
const (
	CodeBadRequest      = "bad_request"
	CodeNotFound        = "not_found"
	CodeVersionMismatch = "version_mismatch"
	CodeStaleConfig     = "stale_config"
	CodeConflict        = "conflict"
	CodeNoQuorum        = "no_quorum"
	CodeUnknownOutcome  = "unknown_outcome"
	CodeInternal        = "internal"
)

// codes maps each Problem code to its status and sentinels: the serve one
// first, then the kv or paxos one of the same meaning.
var codes = map[string]struct {
	status    int
	sentinels []error
}{
	CodeBadRequest:      {http.StatusBadRequest, []error{ErrBadRequest}},
	CodeNotFound:        {http.StatusNotFound, []error{ErrNotFound, kv.ErrNotFound}},
	CodeVersionMismatch: {http.StatusConflict, []error{ErrVersionMismatch, kv.ErrVersionMismatch}},
	CodeStaleConfig:     {http.StatusConflict, []error{ErrStaleConfig}},
	CodeConflict:        {http.StatusConflict, []error{ErrConflict, kv.ErrConflict}},
	CodeNoQuorum:        {http.StatusServiceUnavailable, []error{ErrNoQuorum, paxos.ErrNoQuorum}},
	CodeUnknownOutcome:  {http.StatusGatewayTimeout, []error{ErrUnknownOutcome, kv.ErrUnknownOutcome}},
	CodeInternal:        {http.StatusInternalServerError, []error{ErrInternal}},
}

// ProblemError is an error answer of the server: its HTTP status and the
// Problem document it carried.
type ProblemError struct {
	Status  int
	Problem Problem
}

// Error is the server's message, prefixed with the code.
func (e *ProblemError) Error() string {
	return fmt.Sprintf("serve: %s (HTTP %d): %s", e.Problem.Code, e.Status, e.Problem.Message)
}

// Is matches the sentinels of the Problem's code.
func (e *ProblemError) Is(target error) bool {
	for _, s := range codes[e.Problem.Code].sentinels {
		if target == s {
			return true
		}
	}
	return false
}
