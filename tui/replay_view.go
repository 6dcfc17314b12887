package tui

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/gryadka/gryadka/trace"
)

// ReplayKeyMap holds the keys of a replay, chosen apart from the
// dashboard's: space (the dashboard's pause view) plays and pauses, as a
// replay that stands still needs no other pause.
type ReplayKeyMap struct {
	Play       key.Binding
	Back       key.Binding
	Forward    key.Binding
	PrevChange key.Binding
	NextChange key.Binding
	Slower     key.Binding
	Faster     key.Binding
	Start      key.Binding
	End        key.Binding
	Seek       key.Binding // help only: the command line's seek
}

// DefaultReplayKeyMap returns the replay's bindings.
func DefaultReplayKeyMap() ReplayKeyMap {
	b := func(keys []string, k, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(k, desc))
	}
	return ReplayKeyMap{
		Play:       b([]string{" "}, "space", "play/pause"),
		Back:       b([]string{"left"}, "←", "event back"),
		Forward:    b([]string{"right"}, "→", "event on"),
		PrevChange: b([]string{"<", "shift+left"}, "<", "change back"),
		NextChange: b([]string{">", "shift+right"}, ">", "change on"),
		Slower:     b([]string{"["}, "[", "slower"),
		Faster:     b([]string{"]"}, "]", "faster"),
		Start:      b([]string{"0"}, "0", "start"),
		End:        b([]string{"$"}, "$", "end"),
		Seek:       key.NewBinding(key.WithKeys(), key.WithHelp(":seek", "N|50%|p1#3|2s")),
	}
}

// ShortHelp implements help.KeyMap.
func (k ReplayKeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Play, k.Back, k.Forward, k.PrevChange, k.NextChange, k.Slower, k.Faster, k.Start, k.End, k.Seek}
}

// FullHelp implements help.KeyMap.
func (k ReplayKeyMap) FullHelp() [][]key.Binding { return [][]key.Binding{k.ShortHelp()} }

// key handles the replay's keys, unless the dashboard's command line, a
// question or the help screen has the keyboard.
func (r *Replay) key(msg tea.KeyMsg) (tea.Cmd, bool) {
	if r.inner.prompt.active || r.inner.confirm != nil || r.inner.showHelp {
		return nil, false
	}
	switch {
	case key.Matches(msg, r.keys.Play):
		return r.play(!r.playing), true
	case key.Matches(msg, r.keys.Back):
		r.pause()
		r.moveTo(r.pos - 1)
	case key.Matches(msg, r.keys.Forward):
		r.pause()
		r.moveTo(r.pos + 1)
	case key.Matches(msg, r.keys.PrevChange):
		r.pause()
		r.moveTo(r.prevChange())
	case key.Matches(msg, r.keys.NextChange):
		r.pause()
		r.moveTo(r.nextChange())
	case key.Matches(msg, r.keys.Slower):
		r.speed = max(r.speed-1, 0)
	case key.Matches(msg, r.keys.Faster):
		r.speed = min(r.speed+1, len(replaySpeeds)-1)
	case key.Matches(msg, r.keys.Start):
		r.pause()
		r.moveTo(0)
	case key.Matches(msg, r.keys.End):
		r.pause()
		r.moveTo(len(r.rec.Records))
	default:
		return nil, false
	}
	return nil, true
}

// pause stops playing, so a step is not undone by the next frame.
func (r *Replay) pause() {
	if r.playing {
		r.play(false)
	}
}

// View implements tea.Model: the dashboard, then the position bar and the
// replay's keys.
func (r *Replay) View() string {
	if r.w == 0 {
		return ""
	}
	return lipgloss.JoinVertical(lipgloss.Left, r.inner.View(), r.positionBar(), r.helpLine())
}

// positionBar shows where the replay stands: playing or paused, speed, a
// bar, the event number and its recorded time.
func (r *Replay) positionBar() string {
	n, total := r.Position()
	mode := "‖ paused"
	if r.playing {
		mode = "▶ playing"
	}
	head := r.st.Title.Render("REPLAY") + " " + mode + " " + speedText(r.Speed())
	tail := fmt.Sprintf(" event %d/%d", n, total)
	if at := r.timeAt(n); !at.IsZero() && n > 0 {
		tail += " · " + at.Format("15:04:05.000")
		if start := r.timeAt(0); !start.IsZero() {
			tail += " +" + trace.Duration(at.Sub(start))
		}
	}
	if n > 0 {
		if m, ok := trace.MetaOf(r.rec.Records[n-1].Event); ok {
			tail += fmt.Sprintf(" · %s #%d", shortProposer(m.Proposer), m.Change)
		}
	}
	width := r.w - ansi.StringWidth(head) - ansi.StringWidth(tail) - 2
	return fitLine(head+" "+progress(n, total, width)+" "+tail, r.w)
}

// speedText writes a speed as "1×", "0.25×" or "16×".
func speedText(s float64) string { return strconv.FormatFloat(s, 'f', -1, 64) + "×" }

// progress draws a bar w cells wide, filled in proportion to n of total.
func progress(n, total, w int) string {
	if w < 3 {
		return ""
	}
	done := w
	if total > 0 {
		done = n * w / total
	}
	return strings.Repeat("━", done) + strings.Repeat("─", w-done)
}

// helpLine shows the replay's keys.
func (r *Replay) helpLine() string {
	return fitLine(r.inner.help.ShortHelpView(r.keys.ShortHelp()), r.w)
}
