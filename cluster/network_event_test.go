package cluster

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/gryadka/gryadka/paxos"
)

func TestNetwork_TracesConfigurationChanges(t *testing.T) {
	netTestNoLeaks(t)
	tr := newNetTestTracer()
	n := NewNetwork(NetworkOptions{Tracer: tr, Now: func() time.Time { return time.Unix(42, 0) }})
	if err := n.Delay(Any, "a2", 50*time.Millisecond, 0); err != nil {
		t.Fatal(err)
	}
	n.SetStep(true)
	n.HealAll()
	n.SetStep(false)
	var have []string
	for _, c := range tr.changes() {
		have = append(have, fmt.Sprintf("%s rules=%d step=%v", c.Change, len(c.Faults), c.Step))
	}
	want := []string{"delay * a2 50ms rules=1 step=false", "step on rules=1 step=true", "heal all rules=0 step=true",
		"step off rules=0 step=false"}
	if !slices.Equal(want, have) {
		t.Errorf("want %q, have %q", want, have)
	}
	raw, err := json.Marshal(tr.changes()[0])
	if err != nil {
		t.Fatal(err)
	}
	var back LinkChanged
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatal(err)
	}
	if back.Kind() != "cluster.linkchange" || len(back.Faults) != 1 || back.Faults[0].Delay != 50*time.Millisecond {
		t.Errorf("want the change back from %s, have %+v", raw, back)
	}
}

func TestNetwork_LinkEventsNameTheProposersMessage(t *testing.T) {
	netTestNoLeaks(t)
	tr := newNetTestTracer()
	n := NewNetwork(NetworkOptions{Tracer: tr})
	if err := n.Duplicate(Any, Any, 1); err != nil {
		t.Fatal(err)
	}
	accs := make([]paxos.Acceptor, 3)
	for i := range accs {
		accs[i] = n.Link("p1", paxos.NewMemAcceptor(fmt.Sprint("a", i+1)))
	}
	p, err := paxos.NewProposer(paxos.Options{ID: "p1", Config: paxos.Majority(accs...), Tracer: tr})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Change(netTestCtx(t), "k", func([]byte) ([]byte, error) { return []byte("v"), nil }); err != nil {
		t.Fatalf("Change: %v", err)
	}
	tr.mu.Lock()
	defer tr.mu.Unlock()
	sent := map[paxos.MsgID]paxos.MessageSent{}
	links := 0
	for _, e := range tr.events {
		switch e := e.(type) {
		case paxos.MessageSent:
			sent[e.Msg] = e
		case LinkEvent:
			links++
			s, ok := sent[e.Msg]
			if !ok || s.Acceptor != e.Acceptor || s.Phase != e.Phase || s.Change != e.Change || e.Key != "k" {
				t.Errorf("link event %+v does not match a message sent before it", e)
			}
			if e.Kind() != "cluster.link" {
				t.Errorf("want kind cluster.link, have %q", e.Kind())
			}
		}
	}
	if links == 0 {
		t.Error("want link events for the duplicated messages")
	}
}
