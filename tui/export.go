package tui

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/gryadka/gryadka/check"
	"github.com/gryadka/gryadka/trace"
)

// ErrExists refuses to overwrite a file unless the export says --force.
var ErrExists = errors.New("tui: the file already exists")

// Export formats, in the words of the command line.
const (
	ExportMermaid = "mermaid"
	ExportText    = "text"
	exportHistory = "history" // the load workload's history, as porcupine's JSON
)

// exportCommand writes the trace, or a change or a range of it, to a file.
type exportCommand struct {
	Format string // ExportMermaid, ExportText or exportHistory
	File   string
	Select string // "", a change ("p1#12") or a range of sequence numbers ("120-180")
	Force  bool   // overwrite File if it exists
}

func (exportCommand) commandName() string { return "export" }

// parseExport reads "export mermaid|text FILE [CHANGE|FROM-TO] [--force]"
// or "export history FILE [--force]".
func parseExport(s *spec, args []string, _ string) (command, error) {
	var c exportCommand
	var rest []string
	for _, a := range args {
		if a == "--force" || a == "-f" {
			c.Force = true
		} else {
			rest = append(rest, a)
		}
	}
	if len(rest) < 2 || len(rest) > 3 {
		return nil, usageError(s, "expected a format, a file and at most one change or range")
	}
	c.Format, c.File = strings.ToLower(rest[0]), rest[1]
	switch {
	case c.Format != ExportMermaid && c.Format != ExportText && c.Format != exportHistory:
		return nil, usageError(s, fmt.Sprintf("%q is not a format: mermaid, text or history", rest[0]))
	case c.Format == exportHistory && len(rest) == 3:
		return nil, usageError(s, "the history is the workload's, whole: it takes no change or range")
	}
	if len(rest) == 3 {
		c.Select = rest[2]
		if from, to, isRange := parseRange(c.Select); isRange && (from == 0 || from > to) {
			return nil, usageError(s, fmt.Sprintf("%q is not a range: write the first and the last event, as 120-180", c.Select))
		} else if !isRange {
			if _, err := trace.ParseChangeRef(c.Select); err != nil {
				return nil, usageError(s, fmt.Sprintf("%q is neither a change (p1#12) nor a range (120-180)", c.Select))
			}
		}
	}
	return c, nil
}

// parseRange reads "120-180"; ok is false when s is not a range.
func parseRange(s string) (from, to uint64, ok bool) {
	a, b, found := strings.Cut(s, "-")
	if !found {
		return 0, 0, false
	}
	from, err1 := strconv.ParseUint(a, 10, 64)
	to, err2 := strconv.ParseUint(b, 10, 64)
	return from, to, err1 == nil && err2 == nil
}

// selectRecords returns the records sel names: all of them when sel is
// empty, a change, or the records whose sequence numbers are in a range.
func selectRecords(records []trace.Record, sel string) ([]trace.Record, error) {
	if sel == "" {
		return records, nil
	}
	if from, to, ok := parseRange(sel); ok {
		if from > to || from == 0 {
			return nil, fmt.Errorf("%w: %q is not a range: write the first and the last event, as 120-180", ErrUnavailable, sel)
		}
		var out []trace.Record
		for _, r := range records {
			if r.Seq >= from && r.Seq <= to {
				out = append(out, r)
			}
		}
		return out, nil
	}
	ref, err := trace.ParseChangeRef(sel)
	if err != nil {
		return nil, err
	}
	return trace.SelectChange(records, ref)
}

// Export renders records in a format: a Mermaid sequence diagram, or the
// plain-text sequence chart the log and transcripts use.
func Export(format string, records []trace.Record) (string, error) {
	switch format {
	case ExportMermaid:
		return trace.Mermaid(records), nil
	case ExportText:
		return trace.Sequence(records), nil
	}
	return "", fmt.Errorf("%w: export format %q: want mermaid or text", ErrUnavailable, format)
}

// WriteExport writes data to path, a relative path being under the
// current directory, and returns the absolute path written. It refuses to
// overwrite a file unless force. The file is written directly, never
// through a shell.
func WriteExport(path string, data []byte, force bool) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("tui: export to %s: %w", path, err)
	}
	if !force {
		if _, err := os.Lstat(abs); err == nil {
			return "", fmt.Errorf("%w: %s; add --force to overwrite it", ErrExists, path)
		}
	}
	if err := os.WriteFile(abs, data, 0o644); err != nil {
		return "", fmt.Errorf("tui: export: %w", err)
	}
	return abs, nil
}

// exportCmd renders the selected records now and writes them off the UI
// goroutine.
func exportCmd(c exportCommand, records []trace.Record) tea.Cmd {
	sel, err := selectRecords(records, c.Select)
	if err != nil {
		return reportCmd("", err)
	}
	if len(sel) == 0 {
		return reportCmd("", fmt.Errorf("%w: nothing to export: no trace event was selected", ErrUnavailable))
	}
	out, err := Export(c.Format, sel)
	if err != nil {
		return reportCmd("", err)
	}
	return func() tea.Msg {
		abs, err := WriteExport(c.File, []byte(out), c.Force)
		if err != nil {
			return resultMsg{Err: err}
		}
		return resultMsg{Text: fmt.Sprintf("wrote %s of %s to %s", plural(len(sel), "event"), c.Format, abs)}
	}
}

// export writes what the live dashboard still holds: the records the log
// panel keeps (the newest maxLogLines), or the history of the load
// workload's current segment (the last segmentLength at most).
func (m *Model) export(c exportCommand) tea.Cmd {
	if c.Format == exportHistory {
		return m.exportHistoryCmd(c)
	}
	var records []trace.Record
	for i := range m.log.entries.len() {
		if e := m.log.entries.at(i); e.text == "" && e.rec.Event != nil {
			records = append(records, e.rec)
		}
	}
	return exportCmd(c, records)
}

// exportHistoryCmd writes the history of the workload's current segment
// as porcupine's JSON.
func (m *Model) exportHistoryCmd(c exportCommand) tea.Cmd {
	if m.work == nil {
		return reportCmd("", fmt.Errorf("%w: no workload runs: start one with  load start , then export its history", ErrUnavailable))
	}
	seg := m.work.seg.Load()
	return func() tea.Msg {
		history := seg.rec.History()
		var b strings.Builder
		if err := check.WriteHistory(&b, history); err != nil {
			return resultMsg{Err: err}
		}
		abs, err := WriteExport(c.File, []byte(b.String()), c.Force)
		if err != nil {
			return resultMsg{Err: err}
		}
		return resultMsg{Text: fmt.Sprintf("wrote %s of the current workload segment to %s", plural(len(history), "operation"), abs)}
	}
}

// export writes from the whole recording when c names a change or a
// range, else the records shown so far. A recording holds no workload
// history.
func (r *Replay) export(c exportCommand) tea.Cmd {
	if c.Format == exportHistory {
		return reportCmd("", fmt.Errorf("%w: a recording holds trace events, not a workload's history", ErrUnavailable))
	}
	records := r.rec.Records
	if c.Select == "" {
		records = slices.Clip(records[:r.pos])
	}
	return exportCmd(c, records)
}
