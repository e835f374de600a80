package tui

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
)

// palette is the command palette (: or ctrl+k): every action of every
// page with its key, found by typing a few of its letters. It is built
// from the pages' own help, and running an action switches to its page
// and presses its key there, so the palette never holds a copy of what an
// action does and cannot fall out of step with the pages.
type palette struct {
	open  bool
	input textinput.Model
	list  *List
	items []paletteItem
}

// paletteItem is one action: a key on a page, or one of the console's own
// keys (page -1).
type paletteItem struct {
	page    int
	press   tea.KeyPressMsg
	key     string // as the help writes it
	desc    string
	where   string
	enabled bool
}

// paletteChrome is the lines the palette takes above and below its rows.
const paletteChrome = 4

func newPalette(styles *Styles) *palette {
	in := textinput.New()
	in.Prompt = ": "
	in.Placeholder = "type a few letters of an action or a page; enter runs it"
	return &palette{input: in, list: NewList(styles)}
}

// openPalette lists what can be done now, the page on screen first.
func (m *Model) openPalette() tea.Cmd {
	pl := m.palette
	pl.items = m.paletteItems()
	s := m.c.Styles
	lines := make([]string, len(pl.items))
	search := make([]string, len(pl.items))
	for i, it := range pl.items {
		line := " " + cell(it.desc, 44) + " " + s.Bold.Render(cell(it.key, 11)) + " " + s.Subtle.Render(it.where)
		if !it.enabled {
			line = s.Subtle.Render(ansiStrip(" " + cell(it.desc+" (not now)", 44) + " " + cell(it.key, 11) + " " + it.where))
		}
		lines[i] = line
		search[i] = strings.ToLower(it.desc + " " + it.where + " " + it.key)
	}
	pl.list.SetHeader(s.Subtle.Render(" " + cell("ACTION", 44) + " " + cell("KEY", 11) + " PAGE"))
	pl.list.SetRows(lines, search)
	pl.input.SetValue("")
	pl.input.SetStyles(textinput.DefaultStyles(s.Dark))
	pl.list.SetFilter("")
	pl.list.Move(-len(pl.items))
	pl.open = true
	return pl.input.Focus()
}

// paletteItems is every action of every page, from the pages' help: the
// active page's first, then going to each page, the other pages' actions,
// and the console's own keys. Moving the cursor and esc are left out (the
// same everywhere, and nothing to do on another page), as are help entries
// that stand for several keys ("c/C"), whose keys are listed one by one too.
func (m *Model) paletteItems() []paletteItem {
	k := m.c.Keys
	moves := map[string]bool{}
	for _, b := range []key.Binding{k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End, k.Back} {
		for _, name := range b.Keys() {
			moves[name] = true
		}
	}
	var items []paletteItem
	pageItems := func(i int) {
		p := m.pages[i]
		seen := map[string]bool{}
		add := func(b key.Binding) {
			keys := b.Keys()
			if len(keys) == 0 || moves[keys[0]] || seen[keys[0]] || b.Help().Desc == "" {
				return
			}
			press, ok := pressKey(keys[0])
			if !ok {
				return
			}
			seen[keys[0]] = true
			items = append(items, paletteItem{page: i, press: press, key: b.Help().Key, desc: b.Help().Desc,
				where: strconv.Itoa(i+1) + " " + p.Title(), enabled: b.Enabled()})
		}
		for _, col := range p.FullHelp() {
			for _, b := range col {
				add(b)
			}
		}
		for _, b := range p.ShortHelp() {
			add(b)
		}
	}
	pageItems(m.active)
	for i, p := range m.pages {
		n := strconv.Itoa(i + 1)
		press, _ := pressKey(n)
		items = append(items, paletteItem{page: -1, press: press, key: n, desc: "go to " + p.Title(), where: "any page", enabled: true})
	}
	for i := range m.pages {
		if i != m.active {
			pageItems(i)
		}
	}
	for _, b := range []key.Binding{k.Next, k.Prev, undoKey, k.Help, k.Quit} {
		if press, ok := pressKey(b.Keys()[0]); ok {
			enabled := b.Enabled()
			if b.Help().Key == undoKey.Help().Key {
				enabled = m.c.canUndo() // there is a delete of this session to undo
			}
			items = append(items, paletteItem{page: -1, press: press, key: b.Help().Key, desc: b.Help().Desc, where: "any page",
				enabled: enabled})
		}
	}
	return items
}

// paletteKey handles a key while the palette is open: typing finds,
// up/down choose, enter runs, esc closes.
func (m *Model) paletteKey(msg tea.KeyPressMsg) tea.Cmd {
	pl := m.palette
	switch msg.String() {
	case "esc":
		pl.close()
		return nil
	case "enter":
		return m.runPalette()
	case "up", "ctrl+p", "shift+tab":
		pl.list.Move(-1)
		return nil
	case "down", "ctrl+n", "tab":
		pl.list.Move(1)
		return nil
	case "pgup":
		pl.list.Move(-pl.list.rowsHeight())
		return nil
	case "pgdown":
		pl.list.Move(pl.list.rowsHeight())
		return nil
	}
	var cmd tea.Cmd
	pl.input, cmd = pl.input.Update(msg)
	pl.list.SetFilter(pl.input.Value())
	return cmd
}

// runPalette closes the palette and presses the chosen action's key on its
// page, through the same routing as a key typed there.
func (m *Model) runPalette() tea.Cmd {
	pl := m.palette
	it, ok := Selected(pl.list, pl.items)
	if !ok {
		return nil
	}
	if !it.enabled {
		m.setStatus(it.desc+" ("+it.key+") cannot be done now", true)
		return nil
	}
	pl.close()
	var cmds []tea.Cmd
	if it.page >= 0 {
		cmds = append(cmds, m.switchTo(it.page))
	}
	_, cmd := m.Update(it.press)
	return tea.Batch(append(cmds, cmd)...)
}

func (pl *palette) close() {
	pl.open = false
	pl.input.Blur()
	pl.items = nil
}

// view draws the palette over the page area, width×height.
func (pl *palette) view(s *Styles, width, height int) string {
	pl.list.SetSize(width, max(2, height-paletteChrome))
	pl.input.SetWidth(max(10, width-20))
	top := " " + s.Title.Render("Commands") + s.Subtle.Render(" · every page's actions; the key does the same on its page")
	body := pl.list.View()
	if pl.list.Len() == 0 {
		body = s.Subtle.Render("  nothing matches; backspace, or esc closes")
	}
	return top + "\n" + pl.list.FilterLine(&pl.input) + "\n" + body + "\n\n" +
		s.Subtle.Render(" ↑/↓ choose · enter runs it · esc closes")
}

// namedKeys are the key names the help uses for keys that are not one
// character.
var namedKeys = map[string]rune{
	"enter": tea.KeyEnter, "tab": tea.KeyTab, "esc": tea.KeyEscape, "backspace": tea.KeyBackspace, "space": tea.KeySpace,
	"up": tea.KeyUp, "down": tea.KeyDown, "left": tea.KeyLeft, "right": tea.KeyRight, "home": tea.KeyHome, "end": tea.KeyEnd,
	"pgup": tea.KeyPgUp, "pgdown": tea.KeyPgDown, "delete": tea.KeyDelete, "insert": tea.KeyInsert,
	"f1": tea.KeyF1, "f2": tea.KeyF2, "f3": tea.KeyF3, "f4": tea.KeyF4, "f5": tea.KeyF5, "f6": tea.KeyF6,
	"f7": tea.KeyF7, "f8": tea.KeyF8, "f9": tea.KeyF9, "f10": tea.KeyF10, "f11": tea.KeyF11, "f12": tea.KeyF12,
}

// pressKey is the key press a binding names ("e", "shift+tab", "ctrl+u"),
// and false for a name no one key press has (a help entry such as "c/C").
func pressKey(name string) (tea.KeyPressMsg, bool) {
	var k tea.KeyPressMsg
	rest := name
	for {
		mod, after, ok := strings.Cut(rest, "+")
		if !ok || after == "" {
			break
		}
		switch mod {
		case "ctrl":
			k.Mod |= tea.ModCtrl
		case "alt":
			k.Mod |= tea.ModAlt
		case "shift":
			k.Mod |= tea.ModShift
		default:
			return k, false
		}
		rest = after
	}
	if code, ok := namedKeys[rest]; ok {
		k.Code = code
	} else if r, size := utf8.DecodeRuneInString(rest); size == len(rest) && r != utf8.RuneError {
		k.Code = r
		if k.Mod == 0 {
			k.Text = rest
		}
	} else {
		return k, false
	}
	return k, k.String() == name
}
