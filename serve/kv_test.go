package serve

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gryadka/gryadka/kv"
	"github.com/gryadka/gryadka/paxos"
)

type request struct {
	method, path, body string
}

// send makes one request and returns the status and body of the answer.
func (env *testEnv) send(t *testing.T, r request) (int, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(testCtx(t), r.method, env.url+r.path, strings.NewReader(r.body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := env.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("%s %s: want Content-Type application/json, have %q", r.method, r.path, ct)
	}
	return resp.StatusCode, b
}

func TestServer_KVRoutes(t *testing.T) {
	env := startEnv(t, envOptions{})
	huge := `"` + strings.Repeat("x", maxBody) + `"`
	tooLarge := `"` + strings.Repeat("x", 3<<19) + `"`
	tests := map[string]struct {
		setup  []request
		req    request
		status int
		code   string // of the Problem, for errors
		value  string // JSON of the Value, for 200 and for problems that carry one
	}{
		"get absent":        {req: request{"GET", "/kv/a", ""}, status: 200, value: `{"key":"a","version":0}`},
		"put then get":      {setup: []request{{"PUT", "/kv/b", `{"n": [1, 2.5, "x"]}`}}, req: request{"GET", "/kv/b", ""}, status: 200, value: `{"key":"b","version":1,"value":{"n":[1,2.5,"x"]}}`},
		"put string":        {req: request{"PUT", "/kv/c", ` "hi" `}, status: 200, value: `{"key":"c","version":1,"value":"hi"}`},
		"put not json":      {req: request{"PUT", "/kv/d", `hello`}, status: 400, code: CodeBadRequest},
		"put null":          {req: request{"PUT", "/kv/d", `null`}, status: 400, code: CodeBadRequest},
		"put empty":         {req: request{"PUT", "/kv/d", ``}, status: 400, code: CodeBadRequest},
		"huge body":         {req: request{"PUT", "/kv/d", huge}, status: 400, code: CodeBadRequest},
		"value too large":   {req: request{"PUT", "/kv/d", tooLarge}, status: 400, code: CodeBadRequest},
		"cas on absent":     {req: request{"POST", "/kv/e/cas", `{"version":0,"value":1}`}, status: 200, value: `{"key":"e","version":1,"value":1}`},
		"cas mismatch":      {setup: []request{{"PUT", "/kv/f", `1`}}, req: request{"POST", "/kv/f/cas", `{"version":5,"value":2}`}, status: 409, code: CodeVersionMismatch, value: `{"key":"f","version":1,"value":1}`},
		"cas no version":    {req: request{"POST", "/kv/g/cas", `{"value":2}`}, status: 400, code: CodeBadRequest},
		"cas unknown field": {req: request{"POST", "/kv/g/cas", `{"version":0,"value":2,"ttl":3}`}, status: 400, code: CodeBadRequest},
		"cas bad json":      {req: request{"POST", "/kv/g/cas", `{"version":0,`}, status: 400, code: CodeBadRequest},
		"cas trailing":      {req: request{"POST", "/kv/g/cas", `{"version":0,"value":1} {}`}, status: 400, code: CodeBadRequest},
		"incr empty body":   {req: request{"POST", "/kv/h/incr", ``}, status: 200, value: `{"key":"h","version":1,"value":1}`},
		"incr delta":        {setup: []request{{"PUT", "/kv/i", `10`}}, req: request{"POST", "/kv/i/incr", `{"delta":-15}`}, status: 200, value: `{"key":"i","version":2,"value":-5}`},
		"incr not integer":  {setup: []request{{"PUT", "/kv/j", `"x"`}}, req: request{"POST", "/kv/j/incr", ``}, status: 400, code: CodeBadRequest},
		"change":            {req: request{"POST", "/kv/k/change", `{"expr":"x == nil ? 1 : x + 1"}`}, status: 200, value: `{"key":"k","version":1,"value":1}`},
		"change bad expr":   {req: request{"POST", "/kv/l/change", `{"expr":"x +"}`}, status: 400, code: CodeBadRequest},
		"change clock":      {req: request{"POST", "/kv/l/change", `{"expr":"now()"}`}, status: 400, code: CodeBadRequest},
		"change no expr":    {req: request{"POST", "/kv/l/change", `{}`}, status: 400, code: CodeBadRequest},
		"change fails":      {setup: []request{{"PUT", "/kv/m", `"s"`}}, req: request{"POST", "/kv/m/change", `{"expr":"x / 0"}`}, status: 400, code: CodeBadRequest},
		"delete":            {setup: []request{{"PUT", "/kv/n", `1`}}, req: request{"DELETE", "/kv/n", ""}, status: 200, value: `{"key":"n","version":2,"deleted":true}`},
		"delete absent":     {req: request{"DELETE", "/kv/o", ""}, status: 404, code: CodeNotFound},
		"get deleted":       {setup: []request{{"PUT", "/kv/p", `1`}, {"DELETE", "/kv/p", ""}}, req: request{"GET", "/kv/p", ""}, status: 200, value: `{"key":"p","version":2,"deleted":true}`},
		"control char key":  {req: request{"GET", "/kv/a%01b", ""}, status: 400, code: CodeBadRequest},
		"long key":          {req: request{"GET", "/kv/" + strings.Repeat("k", maxKey+1), ""}, status: 400, code: CodeBadRequest},
		"bad utf-8 key":     {req: request{"GET", "/kv/%ff", ""}, status: 400, code: CodeBadRequest},
		"slash in key":      {req: request{"PUT", "/kv/q%2Fr", `true`}, status: 200, value: `{"key":"q/r","version":1,"value":true}`},
		"wrong method":      {req: request{"POST", "/kv/s", `1`}, status: 405, code: CodeBadRequest},
		"unknown route":     {req: request{"GET", "/nope", ""}, status: 404, code: CodeNotFound},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			for _, r := range tt.setup {
				if status, body := env.send(t, r); status != 200 {
					t.Fatalf("setup %s %s: %d %s", r.method, r.path, status, body)
				}
			}
			status, body := env.send(t, tt.req)
			if status != tt.status {
				t.Fatalf("want status %d, have %d: %s", tt.status, status, body)
			}
			value := body
			if tt.code != "" {
				var p Problem
				if err := json.Unmarshal(body, &p); err != nil {
					t.Fatalf("not a Problem: %s", body)
				}
				if p.Code != tt.code || p.Message == "" {
					t.Fatalf("want code %s with a message, have %s", tt.code, body)
				}
				value = nil
				if p.Value != nil {
					value, _ = json.Marshal(p.Value)
				}
			}
			if tt.value != "" && !bytes.Equal(bytes.TrimSpace(value), []byte(tt.value)) {
				t.Errorf("want value %s, have %s", tt.value, value)
			}
		})
	}
}

func TestServer_NoQuorum(t *testing.T) {
	env := startEnv(t, envOptions{})
	for _, name := range []string{"a2", "a3"} {
		n, err := env.local.Node(name)
		if err != nil {
			t.Fatal(err)
		}
		if err := n.Kill(); err != nil {
			t.Fatal(err)
		}
	}
	status, body := env.send(t, request{"PUT", "/kv/fresh", `1`})
	if status != http.StatusServiceUnavailable || !strings.Contains(string(body), `"no_quorum"`) {
		t.Fatalf("want 503 no_quorum, have %d %s", status, body)
	}
	_, err := env.client.Get(testCtx(t), "other")
	if !errors.Is(err, ErrNoQuorum) || !errors.Is(err, paxos.ErrNoQuorum) {
		t.Errorf("want ErrNoQuorum, have %v", err)
	}
}

func TestServer_UnknownOutcome(t *testing.T) {
	env := startEnv(t, envOptions{oneRTT: true, round: 300 * time.Millisecond})
	ctx := testCtx(t)
	if _, err := env.client.Set(ctx, "k", 1); err != nil {
		t.Fatal(err)
	}
	// The next change of k skips the prepare phase: its accepts reach
	// a2 and a3, and execute there, but their replies are lost.
	for _, name := range []string{"a2", "a3"} {
		if err := env.network.OneWay("p1", name); err != nil {
			t.Fatal(err)
		}
	}
	status, body := env.send(t, request{"PUT", "/kv/k", `2`})
	if status != http.StatusGatewayTimeout || !strings.Contains(string(body), `"unknown_outcome"`) {
		t.Fatalf("want 504 unknown_outcome, have %d %s", status, body)
	}
	env.network.HealAll()
	v, err := env.client.Get(ctx, "k")
	if err != nil {
		t.Fatal(err)
	}
	if string(v.Value) != "2" {
		t.Errorf("the accepts reached a majority, so the write holds: want value 2, have %s", v.Value)
	}
	if _, err := env.client.Set(ctx, "k", 3); err != nil {
		t.Fatal(err)
	}
	env.network.OneWay("p1", "a2")
	env.network.OneWay("p1", "a3")
	_, err = env.client.Incr(ctx, "k", 1)
	if !errors.Is(err, ErrUnknownOutcome) || !errors.Is(err, kv.ErrUnknownOutcome) {
		t.Errorf("want ErrUnknownOutcome, have %v", err)
	}
}
