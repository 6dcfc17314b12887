package serve

import (
	"encoding/json"

	"github.com/gryadka/gryadka/cluster"
)

// The HTTP API of `gryadka serve`. Every answer is JSON
// (Content-Type: application/json) except /trace (text/event-stream) and
// /metrics (Prometheus text format).
//
//	GET    /kv/{key}         read                    200 Value
//	PUT    /kv/{key}         write the body's JSON    200 Value
//	POST   /kv/{key}/cas     CASRequest              200 Value, 409 Problem{Code: "version_mismatch"}
//	POST   /kv/{key}/incr    IncrRequest (optional)  200 Value
//	POST   /kv/{key}/change  ChangeRequest           200 Value
//	DELETE /kv/{key}         write a tombstone       200 Value
//	GET    /config           ConfigDoc
//	PUT    /config           ConfigDoc naming the version it replaces: 200 ConfigDoc (the new version),
//	                         409 Problem{Code: "stale_config"} when Version is not the current one
//	GET    /trace            server-sent events: one event per trace record, `data:` holds the
//	                         record's JSON exactly as trace.Record.MarshalJSON writes it, `id:` its
//	                         Seq; comment lines (": …") keep the stream alive and count the records
//	                         dropped for a slow reader
//	GET    /metrics          Prometheus metrics
//	POST   /admin/gc/invalidate  InvalidateRequest: drop the key's cached state, move the counter past
//	                         the tombstone (gc step 2); 200 gc.Age, the age after it; idempotent
//	POST   /admin/gc/age     AgeRequest (optional): raise the age (gc step 3); 200 gc.Age; a retry
//	                         naming the same AtLeast raises nothing twice (see AgeRequest)
//
// Errors are Problem documents with these status codes: 400 bad_request
// (malformed key, body or expression), 409 version_mismatch or
// stale_config, 409 conflict (a definite conflict that retries did not
// overcome: nothing was written), 503 no_quorum (definitely not applied),
// 504 unknown_outcome (the change may or may not have been applied; the
// client must read to find out), 404 not_found (DELETE of a key that is
// absent or deleted; an unknown route), 500 internal (anything else, for
// example a stored state that is not a gryadka value).

// Value is the answer of every key-value request: the key's state after it.
type Value struct {
	Key     string          `json:"key"`
	Version uint64          `json:"version"`           // 0: the key was never written
	Value   json.RawMessage `json:"value,omitempty"`   // absent when deleted or never written
	Deleted bool            `json:"deleted,omitempty"` // a tombstone
}

// CASRequest writes Value only if the key is at Version.
type CASRequest struct {
	Version uint64          `json:"version"`
	Value   json.RawMessage `json:"value"`
}

// IncrRequest adds Delta (1 when the body is empty) to a number.
type IncrRequest struct {
	Delta int64 `json:"delta"`
}

// ChangeRequest applies an update expression to x, the current value.
type ChangeRequest struct {
	Expr string `json:"expr"`
}

// ConfigDoc is a proposer's configuration with its version. Version counts
// the replacements since the server started at 1; a PUT names the version
// it replaces and gets the new document back. Node addresses are shown
// without passwords; a PUT gives a known node's address either way, and a
// new node's in full.
type ConfigDoc struct {
	Version  uint64             `json:"version"`
	Proposer string             `json:"proposer"` // the proposer's ID, read-only
	Nodes    []cluster.FileNode `json:"nodes"`    // every node the configuration may name
	Config   cluster.FileConfig `json:"configuration"`
}

// Problem is the body of every error answer.
type Problem struct {
	Code    string `json:"code"`            // bad_request, version_mismatch, stale_config, conflict, no_quorum, unknown_outcome, not_found, internal
	Message string `json:"message"`         // in words a user understands
	Value   *Value `json:"value,omitempty"` // the key's state, for version_mismatch and not_found
}
