package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/gryadka/gryadka/kv"
	"github.com/gryadka/gryadka/paxos"
)

// maxBody bounds a request body: a value may take 1 MiB encoded, and its
// JSON in a request a little more.
const maxBody = 2 << 20

// routes builds the API of api.go. Routes known by path but not by method
// answer 405; unknown paths 404; both with a Problem.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /kv/{key}", s.handleKV("get", s.get))
	mux.HandleFunc("PUT /kv/{key}", s.handleKV("set", s.set))
	mux.HandleFunc("DELETE /kv/{key}", s.handleKV("del", s.del))
	mux.HandleFunc("POST /kv/{key}/cas", s.handleKV("cas", s.cas))
	mux.HandleFunc("POST /kv/{key}/incr", s.handleKV("incr", s.incr))
	mux.HandleFunc("POST /kv/{key}/change", s.handleKV("change", s.change))
	mux.HandleFunc("GET /config", s.getConfig)
	mux.HandleFunc("PUT /config", s.putConfig)
	mux.HandleFunc("GET /trace", s.streamTrace)
	mux.Handle("GET /metrics", s.metrics.handler())
	mux.HandleFunc("POST /admin/gc/invalidate", s.handleInvalidate)
	mux.HandleFunc("POST /admin/gc/age", s.handleRaiseAge)
	for pattern, allow := range map[string]string{
		"/kv/{key}": "GET, PUT, DELETE", "/kv/{key}/cas": "POST", "/kv/{key}/incr": "POST",
		"/kv/{key}/change": "POST", "/config": "GET, PUT", "/trace": "GET", "/metrics": "GET",
		"/admin/gc/invalidate": "POST", "/admin/gc/age": "POST",
	} {
		mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Allow", allow)
			writeProblem(w, http.StatusMethodNotAllowed, Problem{Code: CodeBadRequest,
				Message: fmt.Sprintf("%s does not take %s; it takes %s", r.URL.Path, r.Method, allow)})
		})
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, http.StatusNotFound, Problem{Code: CodeNotFound,
			Message: fmt.Sprintf("no route %s %s: the API has /kv/{key}, /config, /trace, /metrics and /admin/gc/...", r.Method, r.URL.Path)})
	})
	return mux
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b, _ = json.Marshal(Problem{Code: CodeInternal, Message: "encoding the answer: " + err.Error()})
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

func writeProblem(w http.ResponseWriter, status int, p Problem) { writeJSON(w, status, p) }

// badRequest answers 400 with message.
func badRequest(w http.ResponseWriter, format string, args ...any) {
	writeProblem(w, http.StatusBadRequest, Problem{Code: CodeBadRequest, Message: fmt.Sprintf(format, args...)})
}

// readBody reads a body of at most maxBody bytes, or answers 400 and
// reports false.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		badRequest(w, "the body is larger than the limit of %d bytes", maxBody)
		return nil, false
	case err != nil:
		badRequest(w, "reading the body: %v", err)
		return nil, false
	}
	return b, true
}

// decodeBody reads a JSON object into v, refusing unknown fields and
// trailing data; an empty body leaves v as it is when emptyOK. It answers
// 400 and reports false on a bad body.
func decodeBody(w http.ResponseWriter, r *http.Request, v any, emptyOK bool) bool {
	b, ok := readBody(w, r)
	if !ok {
		return false
	}
	if len(bytes.TrimSpace(b)) == 0 {
		if !emptyOK {
			badRequest(w, "the body is empty: want a JSON object")
		}
		return emptyOK
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		badRequest(w, "the body is not the expected JSON object: %s", strings.TrimPrefix(err.Error(), "json: "))
		return false
	}
	if dec.More() {
		badRequest(w, "the body has data after its JSON object")
		return false
	}
	return true
}

// problemFor maps the error of a key-value operation to its answer. A
// refusal carries the key's state.
func problemFor(key string, err error) (int, Problem) {
	var value *Value
	var op *kv.OpError
	if errors.As(err, &op) && op.Entry.Version > 0 {
		v := toValue(key, op.Entry)
		value = &v
	}
	p := Problem{Message: strings.TrimPrefix(err.Error(), "kv: ")}
	switch {
	case errors.Is(err, kv.ErrVersionMismatch):
		p.Code, p.Value = CodeVersionMismatch, value
		if value == nil {
			p.Value = &Value{Key: key}
		}
	case errors.Is(err, kv.ErrNotFound):
		p.Code, p.Value = CodeNotFound, value
	case errors.Is(err, kv.ErrUnknownOutcome), paxos.IsIndefinite(err):
		p.Code = CodeUnknownOutcome
		p.Message += "; read the key to learn whether the change was applied"
	case errors.Is(err, kv.ErrConflict), paxos.IsConflict(err):
		p.Code = CodeConflict
	case errors.Is(err, paxos.ErrNoQuorum), errors.Is(err, context.DeadlineExceeded):
		p.Code = CodeNoQuorum
	case errors.Is(err, kv.ErrBadValue), errors.Is(err, kv.ErrBadExpression),
		errors.Is(err, kv.ErrExpressionFailed), errors.Is(err, kv.ErrNotInteger):
		p.Code = CodeBadRequest
	default:
		p.Code = CodeInternal
	}
	return codes[p.Code].status, p
}
