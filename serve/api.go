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
//	                         record's JSON exactly as trace.Record.MarshalJSON writes it
//	GET    /metrics          Prometheus metrics
//
// Errors are Problem documents with these status codes: 400 bad_request
// (malformed key, body or expression), 409 version_mismatch or
// stale_config, 409 conflict (a definite conflict that retries did not
// overcome: nothing was written), 503 no_quorum (definitely not applied),
// 504 unknown_outcome (the change may or may not have been applied; the
// client must read to find out).

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
// it replaces and gets the new document back.
type ConfigDoc struct {
	Version  uint64             `json:"version"`
	Proposer string             `json:"proposer"` // the proposer's ID, read-only
	Nodes    []cluster.FileNode `json:"nodes"`    // every node the configuration may name
	Config   cluster.FileConfig `json:"configuration"`
}

// Problem is the body of every error answer.
type Problem struct {
	Code    string `json:"code"`    // bad_request, version_mismatch, stale_config, conflict, no_quorum, unknown_outcome, not_found
	Message string `json:"message"` // in words a user understands
}
