package cluster

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/gryadka/gryadka/paxos"
)

func TestLinkFault_String(t *testing.T) {
	tests := map[string]struct {
		fault LinkFault
		want  string
	}{
		"partition": {LinkFault{Proposer: "p1", Acceptor: "a2", Kind: FaultPartition, Mode: Hang}, "partition p1 a2 (hang)"},
		"oneway":    {LinkFault{Proposer: "p1", Acceptor: "a3", Kind: FaultOneWay}, "oneway p1 a3"},
		"drop": {LinkFault{Proposer: "p1", Acceptor: "*", Kind: FaultDrop, RequestLoss: 0.3, ReplyLoss: 0.125},
			"drop p1 * requests 30% replies 12.5%"},
		"delay":        {LinkFault{Proposer: "*", Acceptor: "a2", Kind: FaultDelay, Delay: 50 * time.Millisecond}, "delay * a2 50ms"},
		"delay jitter": {LinkFault{Proposer: "*", Acceptor: "a2", Kind: FaultDelay, Delay: time.Millisecond, Jitter: 2 * time.Millisecond}, "delay * a2 1ms±2ms"},
		"duplicate":    {LinkFault{Proposer: "p2", Acceptor: "a1", Kind: FaultDuplicate, Probability: 1}, "duplicate p2 a1 100%"},
		"up":           {LinkFault{Proposer: "p2", Acceptor: "a1", Kind: FaultUp}, "up p2 a1"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			if have := tt.fault.String(); have != tt.want {
				t.Errorf("want %q, have %q", tt.want, have)
			}
		})
	}
}

func TestLinkFault_ValidateRejectsNonsense(t *testing.T) {
	tests := map[string]LinkFault{
		"no proposer":      {Acceptor: "a1", Kind: FaultOneWay},
		"no acceptor":      {Proposer: "p1", Kind: FaultOneWay},
		"no mode":          {Proposer: "p1", Acceptor: "a1", Kind: FaultPartition},
		"loss above one":   {Proposer: "p1", Acceptor: "a1", Kind: FaultDrop, RequestLoss: 30},
		"negative loss":    {Proposer: "p1", Acceptor: "a1", Kind: FaultDrop, ReplyLoss: -0.1},
		"negative delay":   {Proposer: "p1", Acceptor: "a1", Kind: FaultDelay, Delay: -time.Millisecond},
		"negative jitter":  {Proposer: "p1", Acceptor: "a1", Kind: FaultDelay, Jitter: -time.Millisecond},
		"duplicate above1": {Proposer: "p1", Acceptor: "a1", Kind: FaultDuplicate, Probability: 2},
	}
	for name, f := range tests {
		t.Run(name, func(t *testing.T) {
			if err := f.validate(); !errors.Is(err, ErrBadFault) {
				t.Errorf("want ErrBadFault, have %v", err)
			}
		})
	}
}

func TestResolveLink_LaterRulesOverrideAndWildcardsMatch(t *testing.T) {
	partition := func(p, a string) LinkFault {
		return LinkFault{Proposer: p, Acceptor: a, Kind: FaultPartition, Mode: FailFast}
	}
	oneway := func(p, a string) LinkFault { return LinkFault{Proposer: p, Acceptor: a, Kind: FaultOneWay} }
	delay := func(p, a string, d time.Duration) LinkFault {
		return LinkFault{Proposer: p, Acceptor: a, Kind: FaultDelay, Delay: d}
	}
	up := func(p, a string) LinkFault { return LinkFault{Proposer: p, Acceptor: a, Kind: FaultUp} }
	tests := map[string]struct {
		rules []LinkFault
		p, a  string
		want  LinkState
	}{
		"no rules":               {nil, "p1", "a1", LinkState{}},
		"exact match":            {[]LinkFault{partition("p1", "a1")}, "p1", "a1", LinkState{Partitioned: true, Mode: FailFast}},
		"other acceptor":         {[]LinkFault{partition("p1", "a1")}, "p1", "a2", LinkState{}},
		"any proposer":           {[]LinkFault{partition("*", "a1")}, "p7", "a1", LinkState{Partitioned: true, Mode: FailFast}},
		"any acceptor":           {[]LinkFault{oneway("p1", "*")}, "p1", "a9", LinkState{OneWay: true}},
		"any proposer elsewhere": {[]LinkFault{oneway("*", "a1")}, "p1", "a2", LinkState{}},
		"oneway replaces partition": {[]LinkFault{partition("*", "*"), oneway("p1", "a1")}, "p1", "a1",
			LinkState{OneWay: true}},
		"kinds add up": {[]LinkFault{oneway("*", "a1"), delay("p1", "*", time.Second)}, "p1", "a1",
			LinkState{OneWay: true, Delay: time.Second}},
		"later delay wins": {[]LinkFault{delay("p1", "a1", time.Second), delay("*", "a1", time.Millisecond)}, "p1", "a1",
			LinkState{Delay: time.Millisecond}},
		"up clears earlier": {[]LinkFault{oneway("*", "a1"), delay("*", "*", time.Second), up("p1", "a1")}, "p1", "a1",
			LinkState{}},
		"rule after up applies": {[]LinkFault{up("p1", "a1"), oneway("*", "a1")}, "p1", "a1", LinkState{OneWay: true}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			if have := resolveLink(tt.rules, tt.p, tt.a); have != tt.want {
				t.Errorf("want %+v, have %+v", tt.want, have)
			}
		})
	}
}

func TestNetwork_HealKeepsBroaderFaultsElsewhere(t *testing.T) {
	n := NewNetwork(NetworkOptions{})
	if err := n.Partition(Any, "a2", FailFast); err != nil {
		t.Fatal(err)
	}
	if err := n.Delay("p1", "a2", time.Second, 0); err != nil {
		t.Fatal(err)
	}
	if err := n.Heal("p1", "a2"); err != nil {
		t.Fatal(err)
	}
	if have := n.State("p1", "a2"); !have.IsUp() {
		t.Errorf("p1→a2: want up, have %+v", have)
	}
	if have := n.State("p2", "a2"); !have.Partitioned {
		t.Errorf("p2→a2: want partitioned, have %+v", have)
	}
	want := []string{"partition * a2 (fail fast)", "up p1 a2"}
	if have := faultStrings(n.Faults()); !slices.Equal(want, have) {
		t.Errorf("want rules %q, have %q", want, have)
	}

	// Healing the broader rule removes it and the up rule it made.
	if err := n.Heal(Any, "a2"); err != nil {
		t.Fatal(err)
	}
	if have := n.Faults(); len(have) != 0 {
		t.Errorf("want no rules, have %v", have)
	}
}

func TestNetwork_SettingARuleReplacesTheOnesItCovers(t *testing.T) {
	n := NewNetwork(NetworkOptions{})
	for _, set := range []func() error{
		func() error { return n.Drop("p1", "a1", 0.5, 0) },
		func() error { return n.Drop("p2", "a1", 0.5, 0) },
		func() error { return n.Delay("p1", "a1", time.Second, 0) },
		func() error { return n.Drop(Any, "a1", 0.1, 0.2) },
	} {
		if err := set(); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"delay p1 a1 1s", "drop * a1 requests 10% replies 20%"}
	if have := faultStrings(n.Faults()); !slices.Equal(want, have) {
		t.Errorf("want %q, have %q", want, have)
	}
	n.HealAll()
	if have := n.Faults(); len(have) != 0 {
		t.Errorf("after HealAll: want no rules, have %v", have)
	}
}

func TestNetwork_RejectsBadFaults(t *testing.T) {
	n := NewNetwork(NetworkOptions{})
	errs := map[string]error{
		"drop":      n.Drop("p1", "a1", 1.5, 0),
		"partition": n.Partition("p1", "a1", 0),
		"heal":      n.Heal("", "a1"),
	}
	for name, err := range errs {
		if !errors.Is(err, ErrBadFault) {
			t.Errorf("%s: want ErrBadFault, have %v", name, err)
		}
	}
	if have := n.Faults(); len(have) != 0 {
		t.Errorf("want no rules, have %v", have)
	}
}

func TestNetwork_WildcardsAndHeal(t *testing.T) {
	netTestNoLeaks(t)
	ctx := netTestCtx(t)
	n := NewNetwork(NetworkOptions{})
	acc := map[string]*paxos.MemAcceptor{"a1": paxos.NewMemAcceptor("a1"), "a2": paxos.NewMemAcceptor("a2")}
	ballot := uint64(0)
	reach := func(p, a string) bool {
		ballot++
		_, err := n.Link(p, acc[a]).Prepare(ctx, "k-"+p, netTestBallot(ballot))
		if err != nil && !errors.Is(err, ErrPartitioned) {
			t.Fatalf("%s→%s: %v", p, a, err)
		}
		return err == nil
	}
	check := func(step string, want map[[2]string]bool) {
		t.Helper()
		for link, ok := range want {
			if have := reach(link[0], link[1]); have != ok {
				t.Errorf("%s: %s→%s reachable: want %v, have %v", step, link[0], link[1], ok, have)
			}
		}
	}
	if err := n.Partition(Any, "a2", FailFast); err != nil {
		t.Fatal(err)
	}
	check("partition * a2", map[[2]string]bool{{"p1", "a1"}: true, {"p1", "a2"}: false, {"p2", "a2"}: false})
	if err := n.Heal("p1", Any); err != nil {
		t.Fatal(err)
	}
	check("heal p1 *", map[[2]string]bool{{"p1", "a1"}: true, {"p1", "a2"}: true, {"p2", "a2"}: false})
	if err := n.Partition("p2", Any, FailFast); err != nil {
		t.Fatal(err)
	}
	check("partition p2 *", map[[2]string]bool{{"p2", "a1"}: false, {"p1", "a2"}: true})
	n.HealAll()
	check("heal all", map[[2]string]bool{{"p1", "a2"}: true, {"p2", "a1"}: true, {"p2", "a2"}: true})
}

func faultStrings(fs []LinkFault) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.String()
	}
	return out
}
