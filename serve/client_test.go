package serve

import (
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gryadka/gryadka/kv"
)

func TestNewClient_Addresses(t *testing.T) {
	tests := map[string]struct {
		addr string
		want string // the URL, or a part of the error
		ok   bool
	}{
		"http":           {addr: "http://127.0.0.1:8080", want: "http://127.0.0.1:8080", ok: true},
		"https prefix":   {addr: "https://db.example/gryadka/", want: "https://db.example/gryadka", ok: true},
		"trailing slash": {addr: "http://127.0.0.1:8080/", want: "http://127.0.0.1:8080", ok: true},
		"no scheme":      {addr: "127.0.0.1:8080", want: "want a URL such as http://127.0.0.1:8080"},
		"redis scheme":   {addr: "redis://127.0.0.1:6379", want: "must be http or https"},
		"no host":        {addr: "http://", want: "names no host"},
		"bad port":       {addr: "http://127.0.0.1:99999", want: "port 99999"},
		"query":          {addr: "http://h/?a=1", want: "query"},
		"password":       {addr: "http://u:p@h", want: "no user name"},
		"not a url":      {addr: "http://a b", want: "not a URL"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			c, err := NewClient(tt.addr, nil)
			switch {
			case tt.ok && err != nil:
				t.Fatalf("want %s, have %v", tt.want, err)
			case tt.ok && c.URL() != tt.want:
				t.Errorf("want %s, have %s", tt.want, c.URL())
			case !tt.ok && (!errors.Is(err, ErrBadAddress) || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("want ErrBadAddress saying %q, have %v", tt.want, err)
			}
		})
	}
}

func TestClient_RoundTrip(t *testing.T) {
	env := startEnv(t, envOptions{})
	c, ctx := env.client, testCtx(t)
	check := func(op string, v Value, err error, version uint64, value string) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", op, err)
		}
		if v.Version != version || string(v.Value) != value {
			t.Fatalf("%s: want %s at version %d, have %+v", op, value, version, v)
		}
	}
	v, err := c.Get(ctx, "a b/ü")
	check("get absent", v, err, 0, "")
	v, err = c.Set(ctx, "a b/ü", map[string]int{"n": 1})
	check("set", v, err, 1, `{"n":1}`)
	if v.Key != "a b/ü" {
		t.Errorf("want the key back as given, have %q", v.Key)
	}
	v, err = c.CAS(ctx, "a b/ü", 1, "two")
	check("cas", v, err, 2, `"two"`)
	_, err = c.CAS(ctx, "a b/ü", 1, "three")
	var pe *ProblemError
	if !errors.Is(err, ErrVersionMismatch) || !errors.Is(err, kv.ErrVersionMismatch) || !errors.As(err, &pe) ||
		pe.Status != http.StatusConflict || pe.Problem.Value == nil || pe.Problem.Value.Version != 2 {
		t.Fatalf("want a version mismatch at version 2, have %v", err)
	}
	v, err = c.Incr(ctx, "n", 5)
	check("incr", v, err, 1, "5")
	v, err = c.Change(ctx, "n", "x * 2")
	check("change", v, err, 2, "10")
	if _, err = c.Change(ctx, "n", "x +"); !errors.Is(err, ErrBadRequest) {
		t.Errorf("want ErrBadRequest for a bad expression, have %v", err)
	}
	v, err = c.Delete(ctx, "n")
	check("delete", v, err, 3, "")
	if !v.Deleted {
		t.Errorf("want a tombstone, have %+v", v)
	}
	if _, err = c.Delete(ctx, "n"); !errors.Is(err, ErrNotFound) || !errors.Is(err, kv.ErrNotFound) {
		t.Errorf("want ErrNotFound, have %v", err)
	}
	if _, err = c.Get(ctx, ""); !errors.Is(err, ErrBadRequest) {
		t.Errorf("want ErrBadRequest for an empty key, have %v", err)
	}
	if _, err = c.Set(ctx, "k", make(chan int)); !errors.Is(err, ErrBadRequest) {
		t.Errorf("want ErrBadRequest for a value JSON cannot carry, have %v", err)
	}
	if problemCode(err) != "" {
		t.Errorf("want the refusal before any request, have %v", err)
	}
}

func TestClient_Unreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	c, err := NewClient("http://"+addr, &http.Client{Transport: &http.Transport{}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Get(testCtx(t), "k")
	if err == nil || !strings.Contains(err.Error(), "cannot reach http://"+addr) {
		t.Errorf("want a clear error, have %v", err)
	}
	for _, err := range c.Trace(testCtx(t)) {
		if err == nil || !strings.Contains(err.Error(), "cannot reach") {
			t.Errorf("want a clear error, have %v", err)
		}
	}
}

func TestClient_NotAServer(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	c, err := NewClient(srv.URL, srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Config(testCtx(t))
	if err == nil || !strings.Contains(err.Error(), "404 Not Found without a gryadka problem document") {
		t.Errorf("want a clear error, have %v", err)
	}
	for _, err := range c.Trace(testCtx(t)) {
		if err == nil || !strings.Contains(err.Error(), "404") {
			t.Errorf("want a clear error, have %v", err)
		}
	}
	srv.Client().CloseIdleConnections()
}
