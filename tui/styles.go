package tui

import "github.com/charmbracelet/lipgloss"

// The palette. AdaptiveColor picks the light or dark variant from the
// terminal's background; without colour support lipgloss drops them and
// the dashboard still reads through its symbols and words.
var (
	colorAccent  = lipgloss.AdaptiveColor{Light: "#5A3FC0", Dark: "#9F8CFF"}
	colorMuted   = lipgloss.AdaptiveColor{Light: "#8A8A8A", Dark: "#6C6C6C"}
	colorText    = lipgloss.AdaptiveColor{Light: "#1F1F1F", Dark: "#DADADA"}
	colorGood    = lipgloss.AdaptiveColor{Light: "#1E7B34", Dark: "#5FD787"}
	colorWarn    = lipgloss.AdaptiveColor{Light: "#9A6700", Dark: "#FFD75F"}
	colorBad     = lipgloss.AdaptiveColor{Light: "#B42318", Dark: "#FF5F5F"}
	colorInfo    = lipgloss.AdaptiveColor{Light: "#0B5CAD", Dark: "#5FAFFF"}
	colorBorder  = lipgloss.AdaptiveColor{Light: "#C8C8C8", Dark: "#444444"}
	colorFocused = lipgloss.AdaptiveColor{Light: "#5A3FC0", Dark: "#9F8CFF"}
)

// Styles holds every style of the dashboard. It is the only place that
// builds styles or names colours.
type Styles struct {
	Title     lipgloss.Style
	TitleInfo lipgloss.Style
	Tab       lipgloss.Style
	TabActive lipgloss.Style

	Panel        lipgloss.Style // a panel's border
	PanelFocused lipgloss.Style
	PanelTitle   lipgloss.Style

	Text   lipgloss.Style
	Muted  lipgloss.Style
	Header lipgloss.Style // group headers, such as a change in the protocol panel
	Select lipgloss.Style // the selected row

	// Acceptor states: one named style each.
	Promised lipgloss.Style
	Accepted lipgloss.Style
	Rejected lipgloss.Style
	Down     lipgloss.Style
	Paused   lipgloss.Style

	// Message kinds in the sequence diagram.
	Prepare  lipgloss.Style
	Accept   lipgloss.Style
	Conflict lipgloss.Style
	Lost     lipgloss.Style // timeouts, drops and errors

	Good lipgloss.Style
	Warn lipgloss.Style
	Bad  lipgloss.Style

	Prompt     lipgloss.Style
	StatusOK   lipgloss.Style
	StatusErr  lipgloss.Style
	Spark      lipgloss.Style
	HelpBorder lipgloss.Style
}

// DefaultStyles returns the dashboard's styles.
func DefaultStyles() Styles {
	s := lipgloss.NewStyle
	border := s().Border(lipgloss.RoundedBorder()).BorderForeground(colorBorder)
	return Styles{
		Title:     s().Bold(true).Foreground(colorAccent),
		TitleInfo: s().Foreground(colorMuted),
		Tab:       s().Foreground(colorMuted).Padding(0, 1),
		TabActive: s().Bold(true).Foreground(colorAccent).Padding(0, 1).Underline(true),

		Panel:        border,
		PanelFocused: border.BorderForeground(colorFocused),
		PanelTitle:   s().Bold(true).Foreground(colorAccent),

		Text:   s().Foreground(colorText),
		Muted:  s().Foreground(colorMuted),
		Header: s().Bold(true).Foreground(colorText),
		Select: s().Reverse(true),

		Promised: s().Foreground(colorInfo),
		Accepted: s().Foreground(colorGood),
		Rejected: s().Bold(true).Foreground(colorBad),
		Down:     s().Bold(true).Foreground(colorBad),
		Paused:   s().Foreground(colorWarn),

		Prepare:  s().Foreground(colorInfo),
		Accept:   s().Foreground(colorGood),
		Conflict: s().Bold(true).Foreground(colorBad),
		Lost:     s().Foreground(colorWarn),

		Good: s().Foreground(colorGood),
		Warn: s().Foreground(colorWarn),
		Bad:  s().Bold(true).Foreground(colorBad),

		Prompt:     s().Bold(true).Foreground(colorAccent),
		StatusOK:   s().Foreground(colorGood),
		StatusErr:  s().Bold(true).Foreground(colorBad),
		Spark:      s().Foreground(colorAccent),
		HelpBorder: s().Border(lipgloss.RoundedBorder()).BorderForeground(colorAccent).Padding(0, 1),
	}
}
