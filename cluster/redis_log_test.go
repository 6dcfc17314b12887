package cluster

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

func TestSetRedisLog_CapturesClientMessages(t *testing.T) {
	var buf bytes.Buffer
	SetRedisLog(&buf)
	t.Cleanup(func() { SetRedisLog(&bytes.Buffer{}) })
	ep, err := ParseEndpoint("a1", "127.0.0.1:1") // nothing listens on port 1
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if a, err := DialAcceptor(ctx, AcceptorOptions{Endpoint: ep, Timeout: 200 * time.Millisecond}); err == nil {
		a.Close()
		t.Fatal("want a dial error, have none")
	}
	if !strings.Contains(buf.String(), "redis: ") {
		t.Fatalf("want the client's messages in the log, have %q", buf.String())
	}
}
