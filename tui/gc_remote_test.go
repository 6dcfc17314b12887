package tui

import (
	"context"
	"testing"

	"github.com/gryadka/gryadka/cluster"
	"github.com/gryadka/gryadka/gc"
	"github.com/gryadka/gryadka/paxos"
	"github.com/gryadka/gryadka/serve"
	"github.com/gryadka/gryadka/trace"
)

func TestRemoteEnv_GCRemovesADeletedKeyFromEveryNode(t *testing.T) {
	l := startLocal(t, "embedded", nil)
	u1, _ := startServe(t, l.File(), "p1")
	u2, _ := startServe(t, l.File(), "p2")
	env := attach(t, trace.NewBus(), u1, u2)
	if env.GC == nil {
		t.Fatal("want garbage collection offered when attached to serve proposers, have none")
	}
	d := newDriver(t, env, 120, 40)
	d.command("set k 1")
	d.keys("y") // the cluster belongs to someone else: writes are confirmed
	d.command("del k")
	d.keys("y")
	d.command("gc k")
	d.keys("y")
	wantStatus(t, d, "gc k: remove done; removed from [a1 a2 a3]")

	// Invalidating a key again changes nothing and answers the age.
	ctx := context.Background()
	var ages []gc.Age
	for _, u := range []string{u1, u2} {
		c, err := serve.NewClient(u, nil)
		if err != nil {
			t.Fatal(err)
		}
		age, err := c.GCInvalidate(ctx, "k", paxos.Ballot{Counter: 1, Proposer: "gc.test"})
		if err != nil || age.Age == 0 {
			t.Errorf("want the age of %s raised, have %+v, %v", u, age, err)
		}
		ages = append(ages, age)
	}
	for _, n := range l.Nodes() {
		a, err := cluster.DialAcceptor(ctx, cluster.AcceptorOptions{
			Endpoint: cluster.Endpoint{Name: n.Name(), Addr: n.Addr()}, InMemoryOK: true})
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		if st, err := a.State(ctx, "k"); err != nil || !st.Promise.IsZero() || !st.Accepted.IsZero() {
			t.Errorf("want k gone from %s, have %+v, %v", n.Name(), st, err)
		}
		for _, age := range ages {
			if have, err := a.MinAge(ctx, age.Proposer); err != nil || have != age.Age {
				t.Errorf("want %s to fence proposer %s below age %d, have %d, %v", n.Name(), age.Proposer, age.Age, have, err)
			}
		}
	}
}

func TestRemoteEnv_GCFollowsAConfigurationChangedElsewhere(t *testing.T) {
	l := startLocal(t, "embedded", nil)
	u1, _ := startServe(t, l.File(), "p1")
	u2, _ := startServe(t, l.File(), "p2")
	env := attach(t, trace.NewBus(), u1, u2)
	n, err := l.AddNode(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, u := range []string{u1, u2} { // as `gryadka member add --proposers` would
		c, err := serve.NewClient(u, nil)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := c.Config(ctx)
		if err != nil {
			t.Fatal(err)
		}
		doc.Nodes = append(doc.Nodes, cluster.FileNode{Name: n.Name(), Addr: n.Addr(), Backend: cluster.KindRemote})
		doc.Config = cluster.MajorityConfig("a1", "a2", "a3", n.Name())
		if _, err := c.PutConfig(ctx, doc); err != nil {
			t.Fatal(err)
		}
	}
	d := newDriver(t, env, 120, 40)
	d.command("set k 1")
	d.keys("y")
	d.command("del k")
	d.keys("y")
	d.command("gc k")
	d.keys("y")
	wantStatus(t, d, "gc k: remove done; removed from [a1 a2 a3 "+n.Name()+"]")
	if have := len(env.Nodes.List()); have != 4 {
		t.Errorf("want the new node listed for inspection, have %d nodes", have)
	}
}
