package tui

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/gryadka/gryadka/kv"
)

// actionTimeout bounds one user action; stepTimeout a change made while
// step mode holds its messages for the user to deliver by hand.
const (
	actionTimeout = 5 * time.Second
	stepTimeout   = 30 * time.Minute
)

// roundTimeout is the proposers' round timeout with step mode on or off.
func roundTimeout(step bool) time.Duration {
	if step {
		return stepTimeout
	}
	return 3 * time.Second
}

// Errors of the dashboard's actions, shown in the status line.
var (
	// ErrReadOnly refuses an action that writes in read-only mode.
	ErrReadOnly = errors.New("tui: the dashboard is read-only")
	// ErrUnavailable refuses an action this dashboard cannot do.
	ErrUnavailable = errors.New("tui: not available here")
)

// proposerAddedMsg carries a proposer started by proposer add.
type proposerAddedMsg struct{ Client Client }

// loadStartedMsg carries a workload that started.
type loadStartedMsg struct{ Work *workload }

// run turns a command into an action. Writes are refused in read-only
// mode and, on an attached cluster, wait for a confirmation.
func (m *Model) run(c commandMsg) tea.Cmd {
	s := findSpec(c.Cmd.commandName())
	writes := s != nil && s.writes
	if mc, ok := c.Cmd.(memberCommand); ok {
		writes = mc.writes()
	}
	if writes && m.env.ReadOnly {
		return reportCmd("", fmt.Errorf("%w: %s changes the cluster, and the dashboard was started with --read-only", ErrReadOnly, s.name))
	}
	if writes && m.env.Attach && m.confirm == nil {
		m.confirm = &c
		return nil
	}
	m.confirm = nil
	return m.do(c)
}

// answer takes the y or n of a confirmation.
func (m *Model) answer(msg tea.KeyMsg) tea.Cmd {
	c := m.confirm
	switch {
	case key.Matches(msg, m.keys.Confirm):
		m.confirm = nil
		return m.do(*c)
	case key.Matches(msg, m.keys.Deny):
		m.confirm = nil
		return reportCmd("cancelled: "+c.Line, nil)
	}
	return nil
}

func (m *Model) do(c commandMsg) tea.Cmd {
	switch cmd := c.Cmd.(type) {
	case kvCommand:
		return m.kvCmd(cmd, c.Line)
	case nodeCommand:
		return m.nodeCmd(cmd, c.Line)
	case linkCommand, healCommand, stepCommand, queueCommand:
		return m.linkCmd(cmd, c.Line)
	case oneRTTCommand:
		return m.oneRTTCmd(cmd.On, c.Line)
	case loadCommand:
		return m.loadCmd(cmd)
	case proposerAddCommand:
		return m.addProposerCmd()
	case memberCommand:
		return m.memberCmd(cmd, c.Line)
	case gcCommand:
		return m.gcCmd(cmd, c.Line)
	case filterCommand:
		m.setTab(tabProtocol)
		m.proto.Update(filterMsg(cmd))
		return nil
	case inspectCommand:
		m.setTab(tabKeys)
		return m.inspect.open(cmd.Key)
	case helpCommand:
		m.showHelp, m.helpTopic = true, cmd.Topic
		return nil
	case quitCommand:
		return m.quit()
	}
	return reportCmd("", fmt.Errorf("%w: %s", ErrUnavailable, c.Line))
}

// client returns the client that runs key-value commands.
func (m *Model) client() (Client, bool) {
	if len(m.env.Clients) == 0 {
		return Client{}, false
	}
	return m.env.Clients[m.proposer%len(m.env.Clients)], true
}

func (m *Model) kvCmd(c kvCommand, line string) tea.Cmd {
	cl, ok := m.client()
	if !ok {
		return reportCmd("", fmt.Errorf("%w: there is no proposer to run %s", ErrUnavailable, c.Op))
	}
	ctx, store, timeout := m.ctx, cl.Store, actionTimeout
	if m.env.Links != nil && m.env.Links.Step() {
		timeout = stepTimeout
	}
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		var e kv.Entry
		var err error
		switch c.Op {
		case "get":
			e, err = store.Get(ctx, c.Key)
		case "set":
			e, err = store.Set(ctx, c.Key, kv.ParseValue(c.Value))
		case "cas":
			e, err = store.CAS(ctx, c.Key, c.Version, kv.ParseValue(c.Value))
		case "incr":
			e, err = store.Incr(ctx, c.Key, 1)
		case "del":
			e, err = store.Delete(ctx, c.Key)
		case "change":
			e, err = store.Change(ctx, c.Key, c.Expr)
		}
		if err != nil {
			return resultMsg{Err: err}
		}
		return resultMsg{Text: line + " → " + e.String()}
	}
}

func (m *Model) nodeCmd(c nodeCommand, line string) tea.Cmd {
	nodes := m.env.Nodes
	if nodes == nil {
		return reportCmd("", fmt.Errorf("%w: this dashboard has no nodes to %s", ErrUnavailable, c.Action))
	}
	ctx := m.ctx
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, 4*actionTimeout)
		defer cancel()
		if err := nodes.Do(ctx, c.Node, c.Action); err != nil {
			return resultMsg{Err: err}
		}
		return resultMsg{Text: line + ": done"}
	}
}

func (m *Model) linkCmd(c command, line string) tea.Cmd {
	links, clients := m.env.Links, m.env.Clients
	if links == nil {
		if m.env.NoLinks != "" {
			return reportCmd("", fmt.Errorf("%w: %s: %s", ErrUnavailable, c.commandName(), m.env.NoLinks))
		}
		return reportCmd("", fmt.Errorf("%w: this dashboard does not control the links, so %s is not possible", ErrUnavailable, c.commandName()))
	}
	return func() tea.Msg {
		var err error
		switch c := c.(type) {
		case linkCommand:
			switch c.Fault {
			case "partition":
				err = links.Partition(c.Proposer, c.Acceptor)
			case "oneway":
				err = links.OneWay(c.Proposer, c.Acceptor)
			case "drop":
				err = links.Drop(c.Proposer, c.Acceptor, c.Prob)
			case "delay":
				err = links.Delay(c.Proposer, c.Acceptor, c.Delay)
			}
		case healCommand:
			if c.Acceptor == "" {
				links.HealAll()
			} else {
				err = links.Heal(c.Proposer, c.Acceptor)
			}
		case stepCommand:
			links.SetStep(c.On)
			for _, cl := range clients {
				err = errors.Join(err, cl.Proposer.SetRoundTimeout(roundTimeout(c.On)))
			}
		case queueCommand:
			err = queueAction(links, c)
		}
		if err != nil {
			return resultMsg{Err: err}
		}
		return resultMsg{Text: line + ": done"}
	}
}

func queueAction(links Links, c queueCommand) error {
	switch {
	case c.ID == 0 && c.Deliver:
		return links.DeliverNext()
	case c.ID == 0:
		held := links.Held()
		if len(held) == 0 {
			return fmt.Errorf("%w: no message is held", ErrUnavailable)
		}
		return links.DropHeld(held[0].ID)
	case c.Deliver:
		return links.Deliver(c.ID)
	}
	return links.DropHeld(c.ID)
}

func (m *Model) loadCmd(c loadCommand) tea.Cmd {
	if !c.Start {
		if m.work == nil {
			return reportCmd("", fmt.Errorf("%w: no load is running", ErrUnavailable))
		}
		w := m.work
		m.work = nil
		return func() tea.Msg {
			w.stop()
			return resultMsg{Text: "load stopped"}
		}
	}
	if m.work != nil {
		return reportCmd("", fmt.Errorf("%w: a load of %d clients is already running; load stop first", ErrUnavailable, m.work.clients))
	}
	if len(m.env.Clients) == 0 {
		return reportCmd("", fmt.Errorf("%w: there is no proposer to run a load", ErrUnavailable))
	}
	stores := make([]KV, len(m.env.Clients))
	for i, cl := range m.env.Clients {
		stores[i] = cl.Store
	}
	ctx := m.ctx
	return func() tea.Msg { return loadStartedMsg{Work: startWorkload(ctx, stores, c.Clients)} }
}

func (m *Model) addProposerCmd() tea.Cmd {
	add, links := m.env.AddProposer, m.env.Links
	if add == nil {
		return reportCmd("", fmt.Errorf("%w: this dashboard cannot start proposers", ErrUnavailable))
	}
	ctx := m.ctx
	return func() tea.Msg {
		cl, err := add(ctx)
		if err != nil {
			return resultMsg{Err: err}
		}
		if links != nil {
			if err := cl.Proposer.SetRoundTimeout(roundTimeout(links.Step())); err != nil {
				return resultMsg{Err: err}
			}
		}
		return proposerAddedMsg{Client: cl}
	}
}

// pollCmd reads a snapshot of the cluster off the UI goroutine.
func (m *Model) pollCmd() tea.Cmd {
	nodes, links, clients := m.env.Nodes, m.env.Links, slices.Clone(m.env.Clients)
	ctx := m.ctx
	return func() tea.Msg {
		var s snapshotMsg
		if nodes != nil {
			s.Nodes = nodes.List()
		}
		if links != nil {
			s.Faults, s.Held, s.Step = links.Faults(), links.Held(), links.Step()
		}
		ctx, cancel := context.WithTimeout(ctx, actionTimeout)
		defer cancel()
		for i, cl := range clients {
			s.Proposers = append(s.Proposers, cl.Proposer.Status(ctx))
			if s.Proposers[i].ID == "" {
				s.Proposers[i].ID = "p" + strconv.Itoa(i+1)
			}
		}
		return s
	}
}

// keysCmd lists the keys of the first node that answers.
func (m *Model) keysCmd(match string) tea.Cmd {
	nodes := m.env.Nodes
	if nodes == nil {
		return reportCmd("", fmt.Errorf("%w: there are no nodes to read keys from", ErrUnavailable))
	}
	ctx := m.ctx
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, actionTimeout)
		defer cancel()
		pattern := "*"
		if match != "" {
			pattern = "*" + match + "*"
		}
		var err error
		for _, n := range nodes.List() {
			var keys []string
			if keys, err = nodes.Keys(ctx, n.Name, pattern, maxKeys); err == nil {
				slices.Sort(keys)
				return keysMsg{Keys: keys}
			}
		}
		return keysMsg{Err: err}
	}
}

// inspectCmd reads key and the digest on every node.
func (m *Model) inspectCmd(k string) tea.Cmd {
	nodes := m.env.Nodes
	if nodes == nil {
		return reportCmd("", fmt.Errorf("%w: there are no nodes to inspect", ErrUnavailable))
	}
	ctx := m.ctx
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, actionTimeout)
		defer cancel()
		msg := inspectMsg{Key: k, Digests: map[string]string{}}
		for _, n := range nodes.List() {
			st, err := nodes.Inspect(ctx, n.Name, k)
			msg.States = append(msg.States, nodeKeyState{Node: n.Name, State: st, Err: err})
			if d, err := nodes.Digest(ctx, n.Name); err == nil {
				msg.Digests[n.Name] = d
			}
		}
		return msg
	}
}

// oneRTTCmd turns the one-round-trip optimization on or off on every
// proposer that allows it.
func (m *Model) oneRTTCmd(on bool, line string) tea.Cmd {
	clients := slices.Clone(m.env.Clients)
	return func() tea.Msg {
		var errs []error
		for _, cl := range clients {
			errs = append(errs, cl.Proposer.SetOneRTT(on))
		}
		return resultMsg{Text: line + ": done", Err: errors.Join(errs...)}
	}
}
