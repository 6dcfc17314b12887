package check

import (
	"testing"
	"time"
	"github.com/gryadka/gryadka/cluster"
	"github.com/gryadka/gryadka/kv"
	"github.com/gryadka/gryadka/paxos"
)

func TestExpRun(t *testing.T) {
	cl, err := cluster.StartLocal(t.Context(), cluster.LocalOptions{Nodes: 3, Backend: "embedded"})
	if err != nil { t.Fatal(err) }
	defer cl.Close()
	for _, withNet := range []bool{false, true} {
		var net *cluster.Network
		if withNet { net = cluster.NewNetwork(cluster.NetworkOptions{}) }
		p, err := cl.Proposer(t.Context(), paxos.Options{ID: "p1", OneRTT: true}, net)
		if err != nil { t.Fatal(err) }
		s := kv.New(p)
		start := time.Now()
		for i := range 50 {
			if _, err := s.Incr(t.Context(), "k", 1); err != nil { t.Fatal(i, err) }
		}
		t.Log(withNet, time.Since(start)/50)
		a := cl.Nodes()[0]
		acc, _ := cluster.DialAcceptor(t.Context(), cluster.AcceptorOptions{Endpoint: cluster.Endpoint{Name: "a1", Addr: a.Addr()}, InMemoryOK: true})
		start = time.Now()
		for range 50 { acc.Ping(t.Context()) }
		t.Log("ping", time.Since(start)/50)
		start = time.Now()
		for i := range 50 { acc.Prepare(t.Context(), "zz", paxos.Ballot{Counter: uint64(i+1), Proposer: "x"}) }
		t.Log("prepare", time.Since(start)/50)
	}
}
