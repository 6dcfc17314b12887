package serve

import (
	"bufio"
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/gryadka/gryadka/paxos"
	"github.com/gryadka/gryadka/trace"
)

// subscribe streams /trace into a channel until the test ends, and waits
// until the server's bus has the subscription.
func (env *testEnv) subscribe(t *testing.T) <-chan trace.Record {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := make(chan trace.Record, 1024)
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(out)
		for rec, err := range env.client.Trace(ctx) {
			if err != nil {
				t.Errorf("trace: %v", err)
				return
			}
			out <- rec
		}
	}()
	t.Cleanup(func() {
		cancel()
		for range out {
		}
		<-done
	})
	for !env.server.Bus().Enabled() {
		select {
		case <-done:
			t.Fatal("the trace stream ended")
		case <-time.After(5 * time.Millisecond):
		}
	}
	return out
}

func TestServer_TraceStreamsAChangeInOrder(t *testing.T) {
	env := startEnv(t, envOptions{})
	records := env.subscribe(t)
	if _, err := env.client.Incr(testCtx(t), "t", 1); err != nil {
		t.Fatal(err)
	}
	var kinds []string
	var last uint64
	timeout := time.After(10 * time.Second)
	for {
		var rec trace.Record
		select {
		case rec = <-records:
		case <-timeout:
			t.Fatalf("no paxos.finish after %v", kinds)
		}
		if rec.Seq <= last {
			t.Fatalf("want Seq after %d, have %d", last, rec.Seq)
		}
		last = rec.Seq
		kinds = append(kinds, rec.Event.Kind())
		if f, ok := rec.Event.(paxos.ChangeFinished); ok {
			if !f.Committed || f.Key != "t" || f.Label != "incr t" {
				t.Errorf("want the committed incr of t, have %+v", f)
			}
			break
		}
	}
	// Two phases of three messages each: the replies of a phase may come
	// back in any order, and the third after its quorum was decided.
	if kinds[0] != "paxos.start" {
		t.Errorf("want paxos.start first, have %v", kinds)
	}
	have := strings.Join(kinds, " ")
	for _, want := range []string{"paxos.send", "paxos.reply", "paxos.quorum"} {
		if n := strings.Count(have, want+" "); n < 2 {
			t.Errorf("want %s at least twice (prepare and accept), have %s", want, have)
		}
	}
}

func TestReadEvents_Stream(t *testing.T) {
	stream := ": trace of proposer p1\n\n" +
		"id: 1\r\ndata: {\"seq\":1,\"kind\":\"paxos.forward\",\r\ndata: \"event\":{\"key\":\"k\"}}\r\n\r\n" +
		": dropped 3 records in all: this reader is too slow\n" +
		"id: 5\ndata: {\"seq\":5,\"kind\":\"paxos.forward\",\"event\":{\"key\":\"j\"}}\n\n" +
		"data: {\"seq\":6,\"kind\":\"no.such\",\"event\":{}}\n\n"
	var keys []string
	var failed error
	for rec, err := range readEvents(strings.NewReader(stream)) {
		if err != nil {
			failed = err
			break
		}
		keys = append(keys, rec.Event.(paxos.BallotFastForwarded).Key)
	}
	if strings.Join(keys, ",") != "k,j" {
		t.Errorf("want k,j, have %v", keys)
	}
	if failed == nil || !strings.Contains(failed.Error(), "unknown event kind") {
		t.Errorf("want an unknown kind error, have %v", failed)
	}
}

func TestServer_ShutdownEndsTraceStreams(t *testing.T) {
	env := startEnv(t, envOptions{})
	records := env.subscribe(t)
	if err := env.stop(); err != nil {
		t.Fatalf("Serve: %v", err)
	}
	for range records {
	}
	if env.server.Bus().Enabled() {
		t.Error("want the subscription gone once the stream ended")
	}
}

func TestServer_SlowTraceReaderDoesNotSlowChanges(t *testing.T) {
	env := startEnv(t, envOptions{})
	conn, err := net.Dial("tcp", strings.TrimPrefix(env.url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// A reader that asks for the stream and then reads nothing.
	if _, err := conn.Write([]byte("GET /trace HTTP/1.1\r\nHost: x\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	for !env.server.Bus().Enabled() {
		time.Sleep(5 * time.Millisecond)
	}
	// Far more than the subscription's buffer and the sockets hold.
	for i := range 100_000 {
		env.server.Bus().Trace(paxos.BallotFastForwarded{Meta: paxos.Meta{Proposer: "p1", Key: strings.Repeat("k", 200)},
			To: paxos.Ballot{Counter: uint64(i)}})
	}
	for i := range 10 {
		if _, err := env.client.Incr(testCtx(t), "slow", 1); err != nil {
			t.Fatalf("change %d: %v", i, err)
		}
	}
	br := bufio.NewReaderSize(conn, 1<<20)
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatalf("want a comment counting the dropped records, have %v", err)
		}
		if strings.HasPrefix(line, ": dropped ") {
			break
		}
	}
}
