package cluster

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParseEndpoint_Forms(t *testing.T) {
	tests := map[string]struct {
		in                   string
		addr, user, password string
		tls, insecure        bool
		serverName           string
		str                  string
	}{
		"host:port":      {in: "127.0.0.1:7001", addr: "127.0.0.1:7001", str: "127.0.0.1:7001"},
		"hostname":       {in: "db.example:6379", addr: "db.example:6379", str: "db.example:6379"},
		"ipv6":           {in: "[::1]:6379", addr: "[::1]:6379", str: "[::1]:6379"},
		"redis url":      {in: "redis://127.0.0.1:7001", addr: "127.0.0.1:7001", str: "127.0.0.1:7001"},
		"trailing slash": {in: "redis://127.0.0.1:7001/", addr: "127.0.0.1:7001", str: "127.0.0.1:7001"},
		"password only":  {in: "redis://:s3cret@h:1", addr: "h:1", password: "s3cret", str: "redis://h:1"},
		"acl user": {
			in: "redis://alice:s3cret@h:1", addr: "h:1", user: "alice", password: "s3cret",
			str: "redis://alice@h:1",
		},
		"tls": {
			in: "rediss://alice:pw@db.example:6380", addr: "db.example:6380", user: "alice", password: "pw",
			tls: true, serverName: "db.example", str: "rediss://alice@db.example:6380",
		},
		"tls insecure": {
			in: "rediss://10.0.0.1:6380?insecure=1", addr: "10.0.0.1:6380",
			tls: true, insecure: true, serverName: "10.0.0.1", str: "rediss://10.0.0.1:6380",
		},
		"tls server name": {
			in: "rediss://10.0.0.1:6380?servername=db.internal", addr: "10.0.0.1:6380",
			tls: true, serverName: "db.internal", str: "rediss://10.0.0.1:6380",
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			ep, err := ParseEndpoint("a1", tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if ep.Name != "a1" || ep.Addr != tt.addr || ep.Username != tt.user || ep.Password != tt.password {
				t.Errorf("want a1 %s %q %q, have %s %s %q %q", tt.addr, tt.user, tt.password, ep.Name, ep.Addr, ep.Username, ep.Password)
			}
			if (ep.TLS != nil) != tt.tls {
				t.Fatalf("TLS: want %v, have %v", tt.tls, ep.TLS != nil)
			}
			if ep.TLS != nil && (ep.TLS.InsecureSkipVerify != tt.insecure || ep.TLS.ServerName != tt.serverName) {
				t.Errorf("TLS: want insecure %v server %q, have %v %q", tt.insecure, tt.serverName, ep.TLS.InsecureSkipVerify, ep.TLS.ServerName)
			}
			if have := ep.String(); have != tt.str {
				t.Errorf("String: want %q, have %q", tt.str, have)
			}
		})
	}
}

func TestParseEndpoint_Errors(t *testing.T) {
	tests := map[string]struct{ in, want string }{
		"no port":        {"localhost", `a2: address "localhost": want host:port`},
		"empty":          {"", `a2: address "": want host:port`},
		"no host":        {":6379", "want host:port"},
		"bad port":       {"h:http", `port "http": want a number from 1 to 65535`},
		"port zero":      {"h:0", "from 1 to 65535"},
		"port too big":   {"redis://h:70000", "from 1 to 65535"},
		"scheme":         {"http://h:1", `unknown scheme "http"`},
		"database":       {"redis://h:1/2", "database number is not supported"},
		"plain options":  {"redis://h:1?insecure=1", "only for rediss://"},
		"unknown option": {"rediss://h:1?verify=0", `unknown option "verify"`},
		"bad insecure":   {"rediss://h:1?insecure=maybe", "want 1 or 0"},
		"missing ca":     {"rediss://h:1?ca=/nonexistent/ca.pem", "cannot read the CA file"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := ParseEndpoint("a2", tt.in)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "a2: ") {
				t.Fatalf("want an error about %q, have %v", tt.want, err)
			}
		})
	}
}

func TestParseEndpoint_CAFileWithoutCertificates(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(path, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := ParseEndpoint("a1", "rediss://h:1?ca="+path)
	if err == nil || !strings.Contains(err.Error(), "holds no PEM certificate") {
		t.Fatalf("want an error about the CA file, have %v", err)
	}
}

func TestEndpoint_PasswordIsNeverPrinted(t *testing.T) {
	ep, err := ParseEndpoint("a1", "rediss://alice:hunter2@h:1?insecure=1")
	if err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
		if have := fmt.Sprintf(format, ep); strings.Contains(have, "hunter2") {
			t.Errorf("%s prints the password: %s", format, have)
		}
	}
}

func TestDialAcceptor_BadOptions(t *testing.T) {
	free, err := accTestFreePort()
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string]struct {
		opts AcceptorOptions
		want string
	}{
		"bad namespace": {
			opts: AcceptorOptions{Endpoint: Endpoint{Name: "a1", Addr: "127.0.0.1:1"}, Namespace: "a b"},
			want: `a1: namespace "a b"`,
		},
		"bad address": {
			opts: AcceptorOptions{Endpoint: Endpoint{Name: "a1", Addr: "nowhere"}},
			want: `a1: address "nowhere": want host:port`,
		},
		"nobody listens": {
			opts: AcceptorOptions{Endpoint: Endpoint{Name: "a1", Addr: fmt.Sprint("127.0.0.1:", free)}, Timeout: time.Second},
			want: "a1: cannot use the Redis at 127.0.0.1:",
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			a, err := DialAcceptor(context.Background(), tt.opts)
			if err == nil {
				a.Close()
				t.Fatal("want an error, have none")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("want %q in the error, have %v", tt.want, err)
			}
		})
	}
}
