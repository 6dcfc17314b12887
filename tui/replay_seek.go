package tui

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/gryadka/gryadka/paxos"
	"github.com/gryadka/gryadka/trace"
)

// seekCommand moves a replay to a position: an event number, a share of
// the recording, the start of a change, or a recorded time after the
// first event. Exactly one of its forms is set.
type seekCommand struct {
	Event   int              // "120": show events 1…120
	Percent float64          // "50%"
	Change  *trace.ChangeRef // "p1#12": show the change's start
	After   time.Duration    // "2.5s"
	form    seekForm
}

// seekForm tells which field of a seekCommand is set.
type seekForm uint8

const (
	seekEvent seekForm = iota
	seekPercent
	seekChange
	seekTime
)

func (seekCommand) commandName() string { return "seek" }

// parseSeek reads "seek 120", "seek 50%", "seek p1#12" or "seek 2.5s".
func parseSeek(s *spec, args []string, _ string) (command, error) {
	if len(args) != 1 {
		return nil, usageError(s, "expected one position")
	}
	arg := args[0]
	switch {
	case strings.HasSuffix(arg, "%"):
		v, err := strconv.ParseFloat(strings.TrimSuffix(arg, "%"), 64)
		if err != nil || v < 0 || v > 100 {
			return nil, usageError(s, fmt.Sprintf("%q is not a share between 0%% and 100%%", arg))
		}
		return seekCommand{Percent: v, form: seekPercent}, nil
	case strings.Contains(arg, "#"):
		ref, err := trace.ParseChangeRef(arg)
		if err != nil {
			return nil, usageError(s, fmt.Sprintf("%q is not a change, such as p1#12", arg))
		}
		return seekCommand{Change: &ref, form: seekChange}, nil
	}
	if n, err := strconv.Atoi(arg); err == nil && n >= 0 {
		return seekCommand{Event: n, form: seekEvent}, nil
	}
	if d, err := time.ParseDuration(arg); err == nil && d >= 0 {
		return seekCommand{After: d, form: seekTime}, nil
	}
	return nil, usageError(s, fmt.Sprintf("%q is not an event number, a percentage, a change or a time", arg))
}

// seek moves the replay where c says, paused.
func (r *Replay) seek(c seekCommand) tea.Cmd {
	n, err := r.seekTarget(c)
	if err != nil {
		return reportCmd("", err)
	}
	r.pause()
	r.moveTo(n)
	return reportCmd(fmt.Sprintf("at event %d of %d", r.pos, len(r.rec.Records)), nil)
}

// seekTarget is the position a seek names.
func (r *Replay) seekTarget(c seekCommand) (int, error) {
	total := len(r.rec.Records)
	switch c.form {
	case seekPercent:
		return int(c.Percent / 100 * float64(total)), nil
	case seekChange:
		for i, rec := range r.rec.Records {
			if e, ok := rec.Event.(paxos.ChangeStarted); ok && e.Change == c.Change.Change &&
				(c.Change.Proposer == "" || c.Change.Proposer == e.Proposer || c.Change.Proposer == shortProposer(e.Proposer)) {
				return i + 1, nil
			}
		}
		return 0, fmt.Errorf("%w: change %s does not start in this recording", trace.ErrNoChange, c.Change)
	case seekTime:
		start := r.timeAt(0)
		if start.IsZero() {
			return 0, fmt.Errorf("%w: this recording has no times to seek by", ErrUnavailable)
		}
		for i, rec := range r.rec.Records {
			if at := eventTime(rec); !at.IsZero() && at.Sub(start) > c.After {
				return i, nil
			}
		}
		return total, nil
	}
	if c.Event > total {
		return 0, fmt.Errorf("%w: event %d is past the end: the recording holds %d", ErrUnavailable, c.Event, total)
	}
	return c.Event, nil
}
