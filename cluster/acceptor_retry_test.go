package cluster

import (
	"context"
	"io"
	"net"
	"sync"
	"testing"

	"github.com/alicebob/miniredis/v2"

	"github.com/gryadka/gryadka/paxos"
)

// accTestReplyDropper forwards connections to a server and, once armed,
// cuts the next connection that carries a reply instead of delivering it:
// the request ran, its answer is lost.
type accTestReplyDropper struct {
	l      net.Listener
	target string
	mu     sync.Mutex
	armed  bool
	wg     sync.WaitGroup
}

func accTestNewReplyDropper(t *testing.T, target string) *accTestReplyDropper {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	d := &accTestReplyDropper{l: l, target: target}
	d.wg.Go(d.serve)
	t.Cleanup(func() {
		_ = l.Close()
		d.wg.Wait()
	})
	return d
}

func (d *accTestReplyDropper) arm() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.armed = true
}

// takeArmed reports whether a reply must be dropped, disarming.
func (d *accTestReplyDropper) takeArmed() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	armed := d.armed
	d.armed = false
	return armed
}

func (d *accTestReplyDropper) serve() {
	for {
		client, err := d.l.Accept()
		if err != nil {
			return
		}
		server, err := net.Dial("tcp", d.target)
		if err != nil {
			_ = client.Close()
			continue
		}
		d.wg.Go(func() {
			_, _ = io.Copy(server, client)
			_ = server.Close()
		})
		d.wg.Go(func() {
			defer client.Close()
			buf := make([]byte, 64<<10)
			for {
				n, err := server.Read(buf)
				if n > 0 && d.takeArmed() {
					_ = server.Close()
					return
				}
				if n > 0 {
					if _, err := client.Write(buf[:n]); err != nil {
						return
					}
				}
				if err != nil {
					return
				}
			}
		})
	}
}

// TestRedisAcceptor_LostReplyIsNotResent: go-redis retries a command whose
// connection broke by default, which would run an accept twice without
// the proposer knowing. The acceptor must send it exactly once.
func TestRedisAcceptor_LostReplyIsNotResent(t *testing.T) {
	m := miniredis.RunT(t)
	d := accTestNewReplyDropper(t, m.Addr())
	a := accTestDial(t, d.l.Addr().String(), nil)
	ctx := context.Background()
	// miniredis also counts the commands a script calls: measure one
	// accept whose reply arrives first.
	before := m.CommandCount()
	if err := a.Accept(ctx, "k", accTestBallot(1, "p1"), []byte("v"), paxos.Ballot{}); err != nil {
		t.Fatal(err)
	}
	once := m.CommandCount() - before

	before = m.CommandCount()
	d.arm()
	if err := a.Accept(ctx, "k", accTestBallot(2, "p1"), []byte("w"), paxos.Ballot{}); err == nil {
		t.Fatal("the reply was cut, yet accept succeeded")
	}
	if have := m.CommandCount() - before; have != once {
		t.Fatalf("the server ran %d commands for one accept whose reply was lost, want %d as for one delivered", have, once)
	}
	s, err := a.State(ctx, "k")
	if err != nil || string(s.Value) != "w" {
		t.Fatalf("the accept ran but its reply was lost: want value w, have %+v, %v", s, err)
	}
}
