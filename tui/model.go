package tui

import (
	"context"
	"fmt"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/gryadka/gryadka/trace"
)

// Timing of the dashboard.
const (
	tickInterval = 500 * time.Millisecond // sampling and cluster snapshots
	maxBatch     = 4096                   // trace records per traceBatchMsg
	traceBuffer  = 1 << 16                // the subscription's buffer
)

// Model is the dashboard's root model. It owns the panels, routes
// messages to them and turns commands into actions (actions.go).
type Model struct {
	ctx  context.Context
	env  Env
	st   Styles
	keys KeyMap
	sub  *trace.Sub

	w, h int
	lay  layout

	cluster *clusterPanel
	proto   *protocolPanel
	inspect *keysPanel
	load    *loadPanel
	queue   *queuePanel
	log     *logPanel
	members *membersPanel
	prompt  *promptPanel
	demo    *demoPanel // a guided demo, when one runs
	tabs    [tabCount]panel
	help    help.Model

	tab          tab
	lastMain     tab // the last tab shown in the main area
	focusCluster bool
	showHelp     bool
	helpTopic    string
	status       resultMsg
	confirm      *commandMsg // a command waiting for y or n
	work         *workload
	proposer     int  // the client that runs key-value commands
	manualTicks  bool // tests send tickMsg themselves
}

// New returns the dashboard's model. ctx bounds every action it starts;
// sub, when not nil, is the trace subscription it reads.
func New(ctx context.Context, env Env, sub *trace.Sub) *Model {
	st, keys := DefaultStyles(), DefaultKeyMap()
	m := &Model{ctx: ctx, env: env, st: st, keys: keys, sub: sub,
		cluster: newClusterPanel(st, keys),
		proto:   newProtocolPanel(st, keys),
		inspect: newKeysPanel(st, keys),
		load:    newLoadPanel(st, keys),
		queue:   newQueuePanel(st, keys),
		log:     newLogPanel(st, keys),
		members: newMembersPanel(st, keys),
		prompt:  newPromptPanel(st, keys),
		help:    help.New(),
	}
	if env.Demo != nil {
		m.demo = newDemoPanel(st, env.Demo)
	}
	m.tabs = [tabCount]panel{m.proto, m.inspect, m.load, m.queue, m.log, m.members}
	m.help.Styles.ShortKey, m.help.Styles.FullKey = st.Prompt, st.Prompt
	m.help.Styles.ShortDesc, m.help.Styles.FullDesc = st.Muted, st.Muted
	return m
}

// Init implements tea.Model.
func (m *Model) Init() tea.Cmd {
	cmds := []tea.Cmd{m.tickCmd(), m.pollCmd()}
	if m.sub != nil {
		cmds = append(cmds, waitForTrace(m.sub, maxBatch))
	}
	return tea.Batch(cmds...)
}

// Update implements tea.Model: global keys, then sizes, then trace
// batches for every panel, then the remaining keys for the focused panel.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyMsg:
		return m, m.key(msg)
	case tea.WindowSizeMsg:
		m.w, m.h = msg.Width, msg.Height
		m.resize()
		return m, nil
	case traceBatchMsg:
		cmds := m.broadcast(msg)
		if m.sub != nil {
			cmds = append(cmds, waitForTrace(m.sub, maxBatch))
		}
		if touchesCluster(msg) {
			cmds = append(cmds, m.pollCmd())
		}
		return m, tea.Batch(cmds...)
	case traceClosedMsg:
		m.sub = nil
		return m, nil
	case tickMsg:
		if m.work != nil {
			m.load.sample(m.work.sample(msg.At))
		}
		cmds := append(m.broadcast(msg), m.tickCmd(), m.pollCmd(), m.checkCmd(msg.At))
		return m, tea.Batch(cmds...)
	case snapshotMsg:
		m.prompt.words.Nodes, m.prompt.words.Proposers = nodeNames(msg.Nodes), proposerNames(msg.Proposers)
		m.broadcast(msg)
		m.resize()
		return m, nil
	case demoPartMsg:
		if m.demo != nil {
			return m, m.demo.Update(msg)
		}
		return m, nil
	case commandMsg:
		if c, ok := msg.Cmd.(exportCommand); ok {
			return m, m.export(c)
		}
		return m, m.run(msg)
	case resultMsg:
		m.status = msg
		m.log.Update(msg)
		return m, m.pollCmd()
	case keysRequestMsg:
		return m, m.keysCmd(msg.Match)
	case inspectRequestMsg:
		return m, m.inspectCmd(msg.Key)
	case proposerAddedMsg:
		m.env.Clients = append(m.env.Clients, msg.Client)
		return m, tea.Batch(m.pollCmd(), reportCmd("proposer "+shortProposer(msg.Client.Proposer.ID())+" started", nil))
	case memberPlannedMsg:
		return m, m.memberPlanned(msg)
	case loadStartedMsg:
		m.work = msg.Work
		return m, reportCmd(fmt.Sprintf("load started: %d clients", msg.Work.clients), nil)
	}
	return m, m.handle(msg)
}

// key handles a key press: the prompt, a confirmation or the help screen
// take every key while open; then come the global keys, then the panel.
func (m *Model) key(msg tea.KeyMsg) tea.Cmd {
	if msg.Type == tea.KeyRunes && len(msg.Runes) > 1 && !m.prompt.active && !msg.Paste {
		// Keys typed faster than the terminal is read arrive together:
		// take them one by one, so ":set" opens the prompt.
		cmds := make([]tea.Cmd, 0, len(msg.Runes))
		for _, r := range msg.Runes {
			cmds = append(cmds, m.key(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}, Alt: msg.Alt}))
		}
		return tea.Batch(cmds...)
	}
	switch {
	case msg.Type == tea.KeyCtrlC:
		return m.quit()
	case m.prompt.active:
		return m.prompt.Update(msg)
	case m.confirm != nil:
		return m.answer(msg)
	case m.showHelp:
		if key.Matches(msg, m.keys.Help, m.keys.Cancel, m.keys.Quit) {
			m.showHelp, m.helpTopic = false, ""
		}
		return nil
	case key.Matches(msg, m.keys.Quit):
		return m.quit()
	case key.Matches(msg, m.keys.Help):
		m.showHelp = true
		return nil
	case key.Matches(msg, m.keys.Command):
		return m.prompt.open("")
	case key.Matches(msg, m.keys.Focus):
		m.focusCluster = !m.focusCluster
		return nil
	}
	if m.demo != nil {
		if cmd, ok := m.demo.key(msg); ok {
			return cmd
		}
	}
	for i, b := range m.keys.Tab {
		if key.Matches(msg, b) {
			m.setTab(tab(i))
			return nil
		}
	}
	if key.Matches(msg, m.keys.Filter) && !m.focusCluster && m.tab == tabProtocol {
		return m.prompt.open("filter key ")
	}
	return m.focused().Update(msg)
}

// setTab shows and focuses a tab.
func (m *Model) setTab(t tab) {
	m.tab, m.focusCluster = t, false
	if t != tabLoad && t != tabLog {
		m.lastMain = t
	}
}

func (m *Model) focused() panel {
	if m.focusCluster {
		return m.cluster
	}
	return m.tabs[m.tab]
}

// broadcast sends msg to every panel and collects their commands.
func (m *Model) broadcast(msg tea.Msg) []tea.Cmd {
	cmds := []tea.Cmd{m.cluster.Update(msg)}
	for _, p := range m.tabs {
		cmds = append(cmds, p.Update(msg))
	}
	return cmds
}

// handle passes any other message to every panel and the prompt.
func (m *Model) handle(msg tea.Msg) tea.Cmd {
	return tea.Batch(append(m.broadcast(msg), m.prompt.Update(msg))...)
}

// resize lays the panels out for the terminal's size.
func (m *Model) resize() {
	fw, fh := m.st.Panel.GetHorizontalFrameSize(), m.st.Panel.GetVerticalFrameSize()
	h := m.h
	if m.demo != nil {
		dh := demoHeight(m.h)
		m.demo.SetSize(max(m.w-fw, 0), max(dh-fh, 0))
		h -= dh
	}
	m.lay = computeLayout(m.w, h, m.cluster.rows(), fw, fh)
	m.cluster.SetSize(m.lay.Cluster.W, m.lay.Cluster.H)
	for _, p := range m.tabs {
		p.SetSize(m.lay.Main.W, m.lay.Main.H)
	}
	if m.lay.Wide {
		m.load.SetSize(m.lay.Load.W, m.lay.Load.H)
		m.log.SetSize(m.lay.Log.W, m.lay.Log.H)
	}
	m.prompt.SetSize(m.w, 1)
	m.help.Width = m.w
}

// tickCmd schedules the next sampling tick.
func (m *Model) tickCmd() tea.Cmd {
	if m.manualTicks {
		return nil
	}
	return tickEvery(tickInterval)
}

// quit stops the workload and ends the program.
func (m *Model) quit() tea.Cmd {
	w := m.work
	m.work = nil
	return func() tea.Msg {
		if w != nil {
			w.stop()
		}
		return tea.Quit()
	}
}
