package cluster

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
)

// Endpoint is where an acceptor's Redis listens and how to log in to it.
// A nil TLS means a plain TCP connection.
type Endpoint struct {
	Name     string // acceptor name, "a1"
	Addr     string // host:port
	Username string // ACL user; empty means the default user
	Password string // never printed by String or GoString
	TLS      *tls.Config
}

// ParseEndpoint reads the address of the acceptor called name. It accepts
// "host:port", "redis://[user:pass@]host:port" and
// "rediss://[user:pass@]host:port" (TLS). A rediss address takes the query
// options ca=FILE (a PEM file of trusted certificate authorities),
// servername=NAME (the name to verify instead of the host) and insecure=1
// (skip verification, for tests only).
func ParseEndpoint(name, s string) (Endpoint, error) {
	ep := Endpoint{Name: name}
	bad := func(why string) (Endpoint, error) {
		return Endpoint{}, fmt.Errorf("%s: address %q: %s", endpointLabel(name), s, why)
	}
	if !strings.Contains(s, "://") {
		if err := checkHostPort(s); err != "" {
			return bad(err)
		}
		ep.Addr = s
		return ep, nil
	}
	u, err := url.Parse(s)
	if err != nil {
		return bad("want host:port, redis://[user:password@]host:port or rediss://…")
	}
	switch u.Scheme {
	case "redis", "rediss":
	default:
		return bad(fmt.Sprintf("unknown scheme %q: want redis:// or rediss://", u.Scheme))
	}
	if why := checkHostPort(u.Host); why != "" {
		return bad(why)
	}
	if u.Path != "" && u.Path != "/" {
		return bad("a database number is not supported: gryadka keeps its keys under a namespace")
	}
	if u.Fragment != "" {
		return bad("unexpected #fragment")
	}
	ep.Addr = u.Host
	if u.User != nil {
		ep.Username = u.User.Username()
		ep.Password, _ = u.User.Password()
	}
	query, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return bad("malformed options after '?'")
	}
	if u.Scheme == "redis" {
		if len(query) > 0 {
			return bad("options after '?' are only for rediss:// (TLS) addresses")
		}
		return ep, nil
	}
	ep.TLS, err = endpointTLS(u.Hostname(), query)
	if err != nil {
		return bad(err.Error())
	}
	return ep, nil
}

// endpointTLS builds the TLS configuration of a rediss address.
func endpointTLS(host string, query url.Values) (*tls.Config, error) {
	cfg := &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
	for opt, vals := range query {
		if len(vals) != 1 {
			return nil, fmt.Errorf("option %s given %d times", opt, len(vals))
		}
		val := vals[0]
		switch opt {
		case "insecure":
			on, err := strconv.ParseBool(val)
			if err != nil {
				return nil, fmt.Errorf("insecure=%q: want 1 or 0", val)
			}
			cfg.InsecureSkipVerify = on
		case "servername":
			if val == "" {
				return nil, fmt.Errorf("servername is empty")
			}
			cfg.ServerName = val
		case "ca":
			pem, err := os.ReadFile(val)
			if err != nil {
				return nil, fmt.Errorf("cannot read the CA file: %w", err)
			}
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(pem) {
				return nil, fmt.Errorf("CA file %s holds no PEM certificate", val)
			}
			cfg.RootCAs = pool
		default:
			return nil, fmt.Errorf("unknown option %q: want ca=FILE, servername=NAME or insecure=1", opt)
		}
	}
	return cfg, nil
}

// checkHostPort returns why s is not a usable host:port, or "".
func checkHostPort(s string) string {
	host, port, err := net.SplitHostPort(s)
	if err != nil || host == "" {
		return "want host:port"
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 1 || n > 65535 {
		return fmt.Sprintf("port %q: want a number from 1 to 65535", port)
	}
	return ""
}

// endpointLabel names an endpoint in messages, even an unnamed one.
func endpointLabel(name string) string {
	if name == "" {
		return "node"
	}
	return name
}

// String returns the address in the form ParseEndpoint reads, without the
// password: "127.0.0.1:6379" or "rediss://alice@db.example:6380".
func (e Endpoint) String() string {
	if e.TLS == nil && e.Username == "" && e.Password == "" {
		return e.Addr
	}
	scheme := "redis"
	if e.TLS != nil {
		scheme = "rediss"
	}
	u := url.URL{Scheme: scheme, Host: e.Addr}
	if e.Username != "" {
		u.User = url.User(e.Username)
	}
	return u.String()
}

// GoString keeps the password out of %#v output too.
func (e Endpoint) GoString() string {
	pw := ""
	if e.Password != "" {
		pw = "<redacted>"
	}
	return fmt.Sprintf("cluster.Endpoint{Name:%q, Addr:%q, Username:%q, Password:%q, TLS:%v}",
		e.Name, e.Addr, e.Username, pw, e.TLS != nil)
}
