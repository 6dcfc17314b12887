package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/gryadka/gryadka/trace"
)

// minColumn is the narrowest column of the sequence diagram; below it the
// diagram falls back to one line of text per message.
const minColumn = 8

// columnCenters returns where each of n lifelines stands in w cells.
func columnCenters(n, w int) []int {
	cw := w / max(n, 1)
	centers := make([]int, n)
	for i := range centers {
		centers[i] = i*cw + cw/2
	}
	return centers
}

// lifelines draws the bare lifelines of a row.
func lifelines(centers []int, w int) []rune {
	line := []rune(strings.Repeat(" ", w))
	for _, c := range centers {
		line[c] = '│'
	}
	return line
}

// drawArrow draws a labelled arrow between two lifelines of a w-cell row:
// the part before the arrow, the arrow, and the part after, so that the
// caller styles the arrow alone.
func drawArrow(centers []int, w, from, to int, label string) (before, arrow, after string) {
	line := lifelines(centers, w)
	lo, hi := centers[from], centers[to]
	if lo > hi {
		lo, hi = hi, lo
	}
	for i := lo; i <= hi; i++ {
		line[i] = '─'
	}
	if from < to {
		line[lo], line[hi] = '├', '▶'
	} else {
		line[lo], line[hi] = '◀', '┤'
	}
	span := hi - lo - 3
	if span > 0 {
		label = ansi.Truncate(label, span, "…")
		start := lo + 2 + (span-ansi.StringWidth(label))/2
		copy(line[start:], []rune(label))
	}
	return string(line[:lo]), string(line[lo : hi+1]), string(line[hi+1:])
}

// drawNote writes text starting at a lifeline, over the lifelines to its
// right.
func drawNote(centers []int, w, at int, text string) (before, note, after string) {
	line := lifelines(centers, w)
	start := centers[at]
	text = ansi.Truncate(text, w-start, "…")
	end := start + ansi.StringWidth(text)
	return string(line[:start]), text, string(line[end:])
}

// rowStyle picks the style of a diagram row.
func rowStyle(st Styles, r diagRow) lipgloss.Style {
	switch r.kind {
	case rowPrepare:
		return st.Prepare
	case rowAccept:
		return st.Accept
	case rowOK:
		return st.Accepted
	case rowConflict:
		return st.Conflict
	case rowLost:
		return st.Lost
	case rowQuorum:
		if r.failed {
			return st.Bad
		}
		return st.Good
	}
	return st.Muted
}

// renderRow draws one row of a change on the given columns.
func renderRow(st Styles, cols []string, w int, r diagRow) string {
	from, to := indexOf(cols, r.from), indexOf(cols, r.to)
	style := rowStyle(st, r)
	if len(cols)*minColumn > w || from < 0 {
		text := r.from
		if r.to != "" {
			text += " → " + r.to
		}
		return style.Render(ansi.Truncate("  "+text+"  "+r.label(), w, "…"))
	}
	centers := columnCenters(len(cols), w)
	var before, mid, after string
	if to < 0 {
		mark := "◆ "
		if r.kind == rowNote {
			mark = "↷ "
		}
		before, mid, after = drawNote(centers, w, from, mark+r.label())
	} else {
		before, mid, after = drawArrow(centers, w, from, to, r.label())
	}
	return st.Muted.Render(before) + style.Render(mid) + st.Muted.Render(after)
}

// renderHeader draws the line that opens a change.
func renderHeader(st Styles, c *change, w int) string {
	what := c.label
	if what == "" {
		what = "key " + c.key
	}
	mode := "2RTT"
	if c.oneRTT {
		mode = "1RTT"
	}
	parts := []string{fmt.Sprintf("#%d %s %s", c.id, c.proposer, what), shortBallot(c.ballot), mode}
	if c.batch > 1 {
		parts = append(parts, fmt.Sprintf("batch %d", c.batch))
	}
	outcome, style := "running", st.Header
	switch {
	case c.committed:
		outcome = "committed " + shortValue(c.value)
	case c.indefinite:
		outcome, style = "IN DOUBT: "+c.err, st.Bad
		if c.revealed != "" {
			outcome = "was in doubt, " + c.revealed
		}
	case c.done:
		outcome, style = "failed: "+c.err, st.Warn
	}
	if c.done {
		parts = append(parts, trace.Duration(c.elapsed))
	}
	parts = append(parts, outcome)
	return style.Render(ansi.Truncate("▌"+strings.Join(parts, " · "), w, "…"))
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}
