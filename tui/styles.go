package tui

import (
	"image/color"

	"opsdeck/portfolio"

	"charm.land/lipgloss/v2"
)

// Styles are the console's colours and text styles for one background.
// Colour is dropped on terminals that cannot show it, or when NO_COLOR is
// set, by Bubble Tea's colour-profile handling; the styles never rely on
// colour alone (status words are always written out).
type Styles struct {
	Dark bool

	App, Header, Brand, Tab, ActiveTab, Footer lipgloss.Style
	Title, Subtle, Bold, Selected, Box         lipgloss.Style
	StatusOK, StatusErr, Error, Warn           lipgloss.Style
	status                                     map[portfolio.KPIStatus]lipgloss.Style
	severity                                   map[portfolio.Severity]lipgloss.Style
	Accent                                     color.Color
}

// NewStyles returns styles for a dark or light background.
func NewStyles(dark bool) *Styles {
	ld := lipgloss.LightDark(dark)
	text := ld(lipgloss.Color("#1f2328"), lipgloss.Color("#e6edf3"))
	subtle := ld(lipgloss.Color("#6e7781"), lipgloss.Color("#8b949e"))
	accent := ld(lipgloss.Color("#0969da"), lipgloss.Color("#58a6ff"))
	selBg := ld(lipgloss.Color("#ddf4ff"), lipgloss.Color("#1f3a5f"))
	green := ld(lipgloss.Color("#1a7f37"), lipgloss.Color("#3fb950"))
	amber := ld(lipgloss.Color("#9a6700"), lipgloss.Color("#d29922"))
	red := ld(lipgloss.Color("#cf222e"), lipgloss.Color("#f85149"))
	grey := ld(lipgloss.Color("#8c959f"), lipgloss.Color("#6e7681"))

	s := &Styles{Dark: dark, Accent: accent}
	s.App = lipgloss.NewStyle().Foreground(text)
	s.Header = lipgloss.NewStyle().Padding(0, 1)
	s.Brand = lipgloss.NewStyle().Bold(true).Foreground(accent)
	s.Tab = lipgloss.NewStyle().Foreground(subtle).PaddingRight(1)
	s.ActiveTab = lipgloss.NewStyle().Bold(true).Foreground(accent).Underline(true).Padding(0, 1)
	s.Footer = lipgloss.NewStyle().Foreground(subtle).Padding(0, 1)
	s.Title = lipgloss.NewStyle().Bold(true).Foreground(accent)
	s.Subtle = lipgloss.NewStyle().Foreground(subtle)
	s.Bold = lipgloss.NewStyle().Bold(true)
	s.Selected = lipgloss.NewStyle().Background(selBg).Bold(true)
	s.Box = lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(subtle).Padding(0, 1)
	s.StatusOK = lipgloss.NewStyle().Foreground(green)
	s.StatusErr = lipgloss.NewStyle().Foreground(red).Bold(true)
	s.Error = lipgloss.NewStyle().Foreground(red)
	s.Warn = lipgloss.NewStyle().Foreground(amber)
	s.status = map[portfolio.KPIStatus]lipgloss.Style{
		portfolio.StatusOnTarget:  lipgloss.NewStyle().Foreground(green),
		portfolio.StatusAtRisk:    lipgloss.NewStyle().Foreground(amber),
		portfolio.StatusOffTarget: lipgloss.NewStyle().Foreground(red),
		portfolio.StatusMissing:   lipgloss.NewStyle().Foreground(grey).Italic(true),
	}
	s.severity = map[portfolio.Severity]lipgloss.Style{
		portfolio.SeverityCritical: lipgloss.NewStyle().Foreground(red).Bold(true),
		portfolio.SeverityHigh:     lipgloss.NewStyle().Foreground(red),
		portfolio.SeverityMedium:   lipgloss.NewStyle().Foreground(amber),
		portfolio.SeverityLow:      lipgloss.NewStyle().Foreground(subtle),
	}
	return s
}

// Status styles a KPI status word.
func (s *Styles) Status(st portfolio.KPIStatus) lipgloss.Style { return s.status[st] }

// Severity styles a severity word.
func (s *Styles) Severity(v portfolio.Severity) lipgloss.Style { return s.severity[v] }
