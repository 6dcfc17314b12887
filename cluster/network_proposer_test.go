package cluster

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/gryadka/gryadka/paxos"
)

// netTestIncr adds one to a decimal counter; no state counts as 0.
func netTestIncr(state []byte) ([]byte, error) {
	n := 0
	if state != nil {
		var err error
		if n, err = strconv.Atoi(string(state)); err != nil {
			return nil, err
		}
	}
	return []byte(strconv.Itoa(n + 1)), nil
}

func TestNetwork_ProposersUnderFaultsNeverLoseAnAcknowledgedChange(t *testing.T) {
	netTestNoLeaks(t)
	n := NewNetwork(NetworkOptions{Seed: 1})
	for _, set := range []func() error{
		func() error { return n.Drop(Any, Any, 0.15, 0.15) },
		func() error { return n.Duplicate(Any, Any, 0.3) },
		func() error { return n.Delay(Any, Any, 0, 2*time.Millisecond) },
		func() error { return n.OneWay("p2", "a3") },
	} {
		if err := set(); err != nil {
			t.Fatal(err)
		}
	}
	mems := []*paxos.MemAcceptor{paxos.NewMemAcceptor("a1"), paxos.NewMemAcceptor("a2"), paxos.NewMemAcceptor("a3")}
	proposers := make([]*paxos.Proposer, 2)
	for i := range proposers {
		id := fmt.Sprint("p", i+1)
		links := make([]paxos.Acceptor, len(mems))
		for j, m := range mems {
			links[j] = n.Link(id, m)
		}
		p, err := paxos.NewProposer(paxos.Options{ID: id, Config: paxos.Majority(links...), OneRTT: i == 0,
			RoundTimeout: 50 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		proposers[i] = p
	}

	var mu sync.Mutex
	acked, unknown := 0, 0
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			p := proposers[w%len(proposers)]
			for range 25 {
				ctx, cancel := context.WithTimeout(context.Background(), netTestWait)
				_, err := p.Change(ctx, "k", netTestIncr)
				cancel()
				mu.Lock()
				switch {
				case err == nil:
					acked++
				case paxos.IsIndefinite(err):
					unknown++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()

	n.HealAll()
	reader, err := paxos.NewProposer(paxos.Options{ID: "reader",
		Config: paxos.Majority(mems[0], mems[1], mems[2])})
	if err != nil {
		t.Fatal(err)
	}
	var state []byte
	for range 3 { // the first attempt meets the writers' higher ballots
		state, err = reader.Change(netTestCtx(t), "k", func(s []byte) ([]byte, error) { return s, nil })
		if !paxos.IsConflict(err) {
			break
		}
	}
	if err != nil {
		t.Fatalf("final read: %v", err)
	}
	have, _ := strconv.Atoi(string(state))
	if have < acked || have > acked+unknown {
		t.Errorf("want between %d acknowledged and %d possible increments, have %d", acked, acked+unknown, have)
	}
	if acked == 0 {
		t.Error("want some changes to commit through the faults")
	}
	t.Logf("%d acknowledged, %d unknown, counter %d", acked, unknown, have)
}
