package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/gryadka/gryadka/kv"
)

// maxKey bounds a key, in bytes.
const maxKey = 1024

// kvOp runs one key-value operation for a request and returns the
// operation's entry and error. It answers a bad request itself and
// returns errAnswered.
type kvOp func(ctx context.Context, w http.ResponseWriter, r *http.Request, key string) (kv.Entry, error)

// errAnswered is returned by a kvOp that answered the request itself.
var errAnswered = errors.New("serve: answered")

// handleKV checks the key, runs op under the request timeout, answers
// with the key's Value or a Problem, and counts the request in metrics.
func (s *Server) handleKV(name string, op kvOp) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		key := r.PathValue("key")
		if why := checkKey(key); why != "" {
			s.metrics.request(name, CodeBadRequest, time.Since(start))
			badRequest(w, "key %.80q: %s", key, why)
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), s.opts.RequestTimeout)
		defer cancel()
		e, err := op(ctx, w, r, key)
		if err == errAnswered {
			s.metrics.request(name, CodeBadRequest, time.Since(start))
			return
		}
		if err != nil && !(name == "get" && errorIsNotFound(err)) {
			status, p := problemFor(key, err)
			s.metrics.request(name, p.Code, time.Since(start))
			writeProblem(w, status, p)
			return
		}
		s.metrics.request(name, "ok", time.Since(start))
		writeJSON(w, http.StatusOK, toValue(key, e))
	}
}

// errorIsNotFound reports a Get of an absent or deleted key, which answers
// 200 with the key's version.
func errorIsNotFound(err error) bool {
	var op *kv.OpError
	return errors.As(err, &op) && errors.Is(op.Err, kv.ErrNotFound)
}

// checkKey says what is wrong with key, or returns "".
func checkKey(key string) string {
	switch {
	case key == "":
		return "the key is empty"
	case len(key) > maxKey:
		return "longer than 1024 bytes"
	case !utf8.ValidString(key):
		return "not valid UTF-8"
	}
	for _, r := range key {
		if unicode.IsControl(r) {
			return "it holds a control character"
		}
	}
	return ""
}

// toValue is the answer for key at entry e.
func toValue(key string, e kv.Entry) Value {
	v := Value{Key: key, Version: e.Version, Deleted: e.Deleted}
	if e.Live() {
		b, err := json.Marshal(e.Value)
		if err == nil {
			v.Value = b
		}
	}
	return v
}

// parseValue reads a value sent as JSON: anything but null.
func parseValue(raw []byte) (any, string) {
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) == 0:
		return nil, "the value is missing: send it as JSON, such as 42, \"text\" or {\"a\":1}"
	case !json.Valid(raw):
		return nil, "the value is not JSON; a string needs quotes: \"text\""
	case string(raw) == "null":
		return nil, "null is not a value; DELETE the key instead"
	}
	return kv.ParseValue(string(raw)), ""
}

func (s *Server) get(ctx context.Context, _ http.ResponseWriter, _ *http.Request, key string) (kv.Entry, error) {
	e, err := s.store.Get(ctx, key)
	return e, err
}

func (s *Server) set(ctx context.Context, w http.ResponseWriter, r *http.Request, key string) (kv.Entry, error) {
	body, ok := readBody(w, r)
	if !ok {
		return kv.Entry{}, errAnswered
	}
	v, why := parseValue(body)
	if why != "" {
		badRequest(w, "%s", why)
		return kv.Entry{}, errAnswered
	}
	e, err := s.store.Set(ctx, key, v)
	return e, err
}

func (s *Server) del(ctx context.Context, _ http.ResponseWriter, _ *http.Request, key string) (kv.Entry, error) {
	e, err := s.store.Delete(ctx, key)
	return e, err
}

func (s *Server) cas(ctx context.Context, w http.ResponseWriter, r *http.Request, key string) (kv.Entry, error) {
	var req struct {
		Version *uint64         `json:"version"`
		Value   json.RawMessage `json:"value"`
	}
	if !decodeBody(w, r, &req, false) {
		return kv.Entry{}, errAnswered
	}
	if req.Version == nil {
		badRequest(w, `the body has no "version": give the version the key must be at, 0 for a key never written`)
		return kv.Entry{}, errAnswered
	}
	v, why := parseValue(req.Value)
	if why != "" {
		badRequest(w, "%s", why)
		return kv.Entry{}, errAnswered
	}
	e, err := s.store.CAS(ctx, key, *req.Version, v)
	return e, err
}

func (s *Server) incr(ctx context.Context, w http.ResponseWriter, r *http.Request, key string) (kv.Entry, error) {
	var req struct {
		Delta *int64 `json:"delta"`
	}
	if !decodeBody(w, r, &req, true) {
		return kv.Entry{}, errAnswered
	}
	delta := int64(1)
	if req.Delta != nil {
		delta = *req.Delta
	}
	e, err := s.store.Incr(ctx, key, delta)
	return e, err
}

func (s *Server) change(ctx context.Context, w http.ResponseWriter, r *http.Request, key string) (kv.Entry, error) {
	var req ChangeRequest
	if !decodeBody(w, r, &req, false) {
		return kv.Entry{}, errAnswered
	}
	if req.Expr == "" {
		badRequest(w, `the body has no "expr": give an expression of x, such as x == nil ? 1 : x + 1`)
		return kv.Entry{}, errAnswered
	}
	e, err := s.store.Change(ctx, key, req.Expr)
	return e, err
}
