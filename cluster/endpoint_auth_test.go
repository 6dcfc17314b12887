package cluster

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"go.uber.org/goleak"
)

// accTestCert makes a self-signed certificate for 127.0.0.1 and writes
// it as a PEM file, the CA file of a rediss address.
func accTestCert(t *testing.T) (tls.Certificate, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, path
}

func TestDialAcceptor_TLSAndACL(t *testing.T) {
	cert, caFile := accTestCert(t)
	m, err := miniredis.RunTLS(&tls.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	m.RequireUserAuth("alice", "hunter2")
	tests := map[string]struct {
		url  string
		want string // substring of the error, "" for success
	}{
		"ca file":         {"rediss://alice:hunter2@" + m.Addr() + "?ca=" + caFile, ""},
		"insecure":        {"rediss://alice:hunter2@" + m.Addr() + "?insecure=1", ""},
		"unknown ca":      {"rediss://alice:hunter2@" + m.Addr(), "certificate"},
		"wrong password":  {"rediss://alice:nope@" + m.Addr() + "?ca=" + caFile, "WRONGPASS"},
		"no tls":          {"redis://alice:hunter2@" + m.Addr(), "a1: cannot use the Redis"},
		"no credentials":  {"rediss://" + m.Addr() + "?ca=" + caFile, "NOAUTH"},
		"wrong user name": {"rediss://bob:hunter2@" + m.Addr() + "?ca=" + caFile, "WRONGPASS"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			ep, err := ParseEndpoint("a1", tt.url)
			if err != nil {
				t.Fatal(err)
			}
			// A TLS handshake under -race on a loaded machine can take
			// over a second; no case here waits for the bound to end.
			a, err := DialAcceptor(context.Background(), AcceptorOptions{Endpoint: ep, InMemoryOK: true, Timeout: 10 * time.Second})
			if tt.want != "" {
				if err == nil {
					a.Close()
					t.Fatalf("want an error about %q, have none", tt.want)
				}
				if !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "hunter2") {
					t.Fatalf("want an error about %q without the password, have %v", tt.want, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			if _, err := a.Prepare(context.Background(), "k/"+name, accTestBallot(1, "p1")); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestRedisAcceptor_CloseLeavesNoGoroutines(t *testing.T) {
	m := miniredis.RunT(t)
	opts := goleak.IgnoreCurrent()
	a, err := DialAcceptor(context.Background(), AcceptorOptions{Endpoint: Endpoint{Name: "a1", Addr: m.Addr()}, InMemoryOK: true})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 50 {
		go func() { _, _ = a.Prepare(context.Background(), "k", accTestBallot(uint64(i+1), "p1")) }()
	}
	if _, err := a.Digest(context.Background()); err != nil {
		t.Fatal(err)
	}
	time.Sleep(10 * time.Millisecond)
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	goleak.VerifyNone(t, opts)
}
