package tui

import (
	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
)

// maxHistory bounds the command history.
const maxHistory = 200

// promptPanel is the command line opened with ':'. It completes commands
// and their arguments, and recalls earlier lines with ↑ and ↓.
type promptPanel struct {
	st    Styles
	keys  KeyMap
	w     int
	input textinput.Model

	active  bool
	history *ring[string]
	recall  int // lines back in history; 0 is the line being typed
	draft   string
	words   completion
}

var _ panel = (*promptPanel)(nil)

func newPromptPanel(st Styles, keys KeyMap) *promptPanel {
	in := textinput.New()
	in.Prompt = ":"
	in.PromptStyle = st.Prompt
	in.CharLimit = 512
	in.Cursor.SetMode(cursor.CursorStatic)
	in.ShowSuggestions = true
	in.KeyMap.NextSuggestion = key.NewBinding(key.WithKeys("ctrl+n"))
	in.KeyMap.PrevSuggestion = key.NewBinding(key.WithKeys("ctrl+p"))
	return &promptPanel{st: st, keys: keys, input: in, history: newRing[string](maxHistory)}
}

// open activates the prompt with text already typed.
func (p *promptPanel) open(text string) tea.Cmd {
	p.active, p.recall = true, 0
	p.input.SetValue(text)
	p.input.CursorEnd()
	p.suggest()
	return p.input.Focus()
}

func (p *promptPanel) close() {
	p.active = false
	p.input.Blur()
	p.input.SetValue("")
}

// SetSize implements panel; the prompt is one line high.
func (p *promptPanel) SetSize(w, _ int) {
	p.w = w
	p.input.Width = max(w-3, 1)
}

// Update implements panel.
func (p *promptPanel) Update(msg tea.Msg) tea.Cmd {
	k, ok := msg.(tea.KeyMsg)
	if !ok || !p.active {
		var cmd tea.Cmd
		p.input, cmd = p.input.Update(msg)
		return cmd
	}
	switch {
	case key.Matches(k, p.keys.Cancel):
		p.close()
		return nil
	case k.Type == tea.KeyEnter:
		return p.submit()
	case k.Type == tea.KeyUp:
		p.browse(1)
		return nil
	case k.Type == tea.KeyDown:
		p.browse(-1)
		return nil
	}
	var cmd tea.Cmd
	p.input, cmd = p.input.Update(msg)
	p.suggest()
	return cmd
}

// submit parses the line: a command goes to the root model, an error to
// the status line. Both are remembered, so ↑ recalls a line to fix it.
func (p *promptPanel) submit() tea.Cmd {
	line := p.input.Value()
	p.close()
	if line == "" {
		return nil
	}
	if p.history.len() == 0 || p.history.at(p.history.len()-1) != line {
		p.history.push(line)
	}
	c, err := parseCommand(line)
	if err != nil {
		return reportCmd("", err)
	}
	return func() tea.Msg { return commandMsg{Cmd: c, Line: line} }
}

// browse moves n lines back in history (forward when negative).
func (p *promptPanel) browse(n int) {
	if p.recall == 0 {
		p.draft = p.input.Value()
	}
	p.recall = clamp(p.recall+n, 0, p.history.len())
	if p.recall == 0 {
		p.input.SetValue(p.draft)
	} else {
		p.input.SetValue(p.history.at(p.history.len() - p.recall))
	}
	p.input.CursorEnd()
	p.suggest()
}

func (p *promptPanel) suggest() {
	p.input.SetSuggestions(complete(p.input.Value(), p.words))
}

// View implements panel.
func (p *promptPanel) View() string {
	if !p.active {
		return ""
	}
	return fitLine(p.input.View(), p.w)
}

// ShortHelp implements help.KeyMap.
func (p *promptPanel) ShortHelp() []key.Binding {
	return []key.Binding{
		key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "run")),
		key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "complete")),
		key.NewBinding(key.WithKeys("up"), key.WithHelp("↑/↓", "history")),
		p.keys.Cancel,
	}
}

// FullHelp implements help.KeyMap.
func (p *promptPanel) FullHelp() [][]key.Binding { return [][]key.Binding{p.ShortHelp()} }
