package serve

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gryadka/gryadka/trace"
)

// maxAnswer bounds the body of an answer a Client reads: a value is at
// most 1 MiB encoded, so a few MiB leaves room for JSON escaping.
const maxAnswer = 8 << 20

// Client talks to one `gryadka serve` proposer over HTTP. It is safe for
// concurrent use.
type Client struct {
	base string // scheme://host[:port][/prefix], without a trailing slash
	hc   *http.Client
}

// NewClient returns a client of the server at baseURL, an http:// or
// https:// URL such as http://127.0.0.1:8080. Requests go through hc, or
// through a plain http.Client when hc is nil; bound them with the
// context of each call. An hc with a Timeout also cuts Trace streams.
func NewClient(baseURL string, hc *http.Client) (*Client, error) {
	bad := func(why string) error {
		return fmt.Errorf("%w %q: %s", ErrBadAddress, baseURL, why)
	}
	if !strings.Contains(baseURL, "://") {
		return nil, bad("want a URL such as http://" + strings.TrimPrefix(baseURL, "//"))
	}
	u, err := url.Parse(baseURL)
	switch {
	case err != nil:
		return nil, bad("not a URL")
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, bad("the scheme must be http or https, not " + u.Scheme)
	case u.Host == "" || u.Hostname() == "":
		return nil, bad("it names no host")
	case u.User != nil:
		return nil, bad("the server takes no user name or password")
	case u.RawQuery != "" || u.Fragment != "":
		return nil, bad("it must not have a query or a fragment")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return nil, bad("port " + p + " is not a number from 1 to 65535")
		}
	}
	if hc == nil {
		hc = &http.Client{}
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return &Client{base: u.String(), hc: hc}, nil
}

// URL returns the server's base URL.
func (c *Client) URL() string { return c.base }

// Get reads key. An absent key comes back with Version 0 and no Value, a
// deleted one with Deleted set; neither is an error.
func (c *Client) Get(ctx context.Context, key string) (Value, error) {
	return c.kv(ctx, http.MethodGet, key, "", nil)
}

// Set writes value, marshalled as JSON (a json.RawMessage is sent as it
// is), whatever the key held.
func (c *Client) Set(ctx context.Context, key string, value any) (Value, error) {
	raw, err := marshalValue(value)
	if err != nil {
		return Value{}, err
	}
	return c.kv(ctx, http.MethodPut, key, "", raw)
}

// CAS writes value if key is at version (0: never written). Otherwise it
// fails with an error matching ErrVersionMismatch, whose Problem.Value is
// the key's state.
func (c *Client) CAS(ctx context.Context, key string, version uint64, value any) (Value, error) {
	raw, err := marshalValue(value)
	if err != nil {
		return Value{}, err
	}
	return c.kvJSON(ctx, key, "/cas", CASRequest{Version: version, Value: raw})
}

// Incr adds delta to key's integer; an absent key counts as 0.
func (c *Client) Incr(ctx context.Context, key string, delta int64) (Value, error) {
	return c.kvJSON(ctx, key, "/incr", IncrRequest{Delta: delta})
}

// Delete writes a tombstone for key. It fails with an error matching
// ErrNotFound when the key is absent or already deleted.
func (c *Client) Delete(ctx context.Context, key string) (Value, error) {
	return c.kv(ctx, http.MethodDelete, key, "", nil)
}

// Change applies the update expression expr to key's value x.
func (c *Client) Change(ctx context.Context, key, expr string) (Value, error) {
	return c.kvJSON(ctx, key, "/change", ChangeRequest{Expr: expr})
}

// Config reads the server's configuration and its version.
func (c *Client) Config(ctx context.Context) (ConfigDoc, error) {
	var doc ConfigDoc
	err := c.do(ctx, http.MethodGet, "/config", nil, &doc)
	return doc, err
}

// PutConfig replaces the server's configuration with doc, whose Version
// must be the current one, and returns the new document. A stale version
// fails with an error matching ErrStaleConfig; an unsafe or unreachable
// configuration with ErrBadRequest. Either way nothing changed.
func (c *Client) PutConfig(ctx context.Context, doc ConfigDoc) (ConfigDoc, error) {
	body, err := json.Marshal(doc)
	if err != nil {
		return ConfigDoc{}, fmt.Errorf("serve: encoding the configuration: %w", err)
	}
	var out ConfigDoc
	err = c.do(ctx, http.MethodPut, "/config", body, &out)
	return out, err
}

// Trace streams the server's trace records until ctx ends, the server
// closes the stream, or the caller stops iterating. Records whose Seq
// jumps were lost by the server for this slow reader. An error is yielded
// once, last; the end of ctx is not an error.
func (c *Client) Trace(ctx context.Context) iter.Seq2[trace.Record, error] {
	return func(yield func(trace.Record, error) bool) {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/trace", nil)
		if err != nil {
			yield(trace.Record{}, fmt.Errorf("serve: %w", err))
			return
		}
		req.Header.Set("Accept", "text/event-stream")
		resp, err := c.hc.Do(req)
		if err != nil {
			if ctx.Err() == nil {
				yield(trace.Record{}, c.unreachable(err))
			}
			return
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			yield(trace.Record{}, c.answerError(req, resp))
			return
		}
		for rec, err := range readEvents(resp.Body) {
			if err != nil && ctx.Err() != nil {
				return
			}
			if !yield(rec, err) || err != nil {
				return
			}
		}
	}
}

// readEvents parses a server-sent event stream whose events carry one
// trace record each in their data. Comment lines (the server's notes on
// dropped records) and other fields are skipped.
func readEvents(r io.Reader) iter.Seq2[trace.Record, error] {
	return func(yield func(trace.Record, error) bool) {
		br := bufio.NewReader(r)
		var data []byte
		for {
			line, err := br.ReadBytes('\n')
			if err != nil {
				if !errors.Is(err, io.EOF) {
					yield(trace.Record{}, fmt.Errorf("serve: reading the trace stream: %w", err))
				}
				return
			}
			line = bytes.TrimRight(line, "\r\n")
			if len(line) == 0 {
				if len(data) == 0 {
					continue
				}
				var rec trace.Record
				if err := json.Unmarshal(data, &rec); err != nil {
					yield(trace.Record{}, fmt.Errorf("serve: a trace event: %w", err))
					return
				}
				data = data[:0]
				if !yield(rec, nil) {
					return
				}
				continue
			}
			if v, ok := bytes.CutPrefix(line, []byte("data:")); ok {
				if len(data) > 0 {
					data = append(data, '\n')
				}
				data = append(data, bytes.TrimPrefix(v, []byte(" "))...)
			}
		}
	}
}

func marshalValue(value any) (json.RawMessage, error) {
	raw, err := json.Marshal(value)
	if err != nil {
		return nil, fmt.Errorf("%w: the value is not JSON: %v", ErrBadRequest, err)
	}
	return raw, nil
}

func (c *Client) kvJSON(ctx context.Context, key, suffix string, req any) (Value, error) {
	body, err := json.Marshal(req)
	if err != nil {
		return Value{}, fmt.Errorf("%w: %v", ErrBadRequest, err)
	}
	return c.kv(ctx, http.MethodPost, key, suffix, body)
}

func (c *Client) kv(ctx context.Context, method, key, suffix string, body []byte) (Value, error) {
	if key == "" {
		return Value{}, fmt.Errorf("%w: the key is empty", ErrBadRequest)
	}
	var v Value
	err := c.do(ctx, method, "/kv/"+url.PathEscape(key)+suffix, body, &v)
	return v, err
}

// do sends one request and decodes a 200 answer into out, or turns any
// other answer into an error.
func (c *Client) do(ctx context.Context, method, path string, body []byte, out any) error {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.hc.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("serve: %s %s: %w", method, path, ctx.Err())
		}
		return c.unreachable(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return c.answerError(req, resp)
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxAnswer)).Decode(out); err != nil {
		return fmt.Errorf("serve: %s %s: the answer is not the expected JSON: %w", method, path, err)
	}
	return nil
}

func (c *Client) unreachable(err error) error {
	return fmt.Errorf("serve: cannot reach %s (is `gryadka serve` running there?): %w", c.base, err)
}

// answerError decodes a Problem answer into a *ProblemError. An answer
// without one (a proxy, another program on the port) is described as it
// came.
func (c *Client) answerError(req *http.Request, resp *http.Response) error {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	var p Problem
	if mt == "application/json" && json.Unmarshal(body, &p) == nil && p.Code != "" {
		return &ProblemError{Status: resp.StatusCode, Problem: p}
	}
	return fmt.Errorf("serve: %s %s answered %s without a gryadka problem document (is it a gryadka serve?): %.200q",
		req.Method, req.URL.Redacted(), resp.Status, body)
}
