package cli

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// helpCommands are the commands the top-level usage lists ("lp solve",
// "plan", ...), so that a command added there is checked here too.
func helpCommands(t *testing.T) [][]string {
	t.Helper()
	var out [][]string
	for _, line := range strings.Split(messages[msgUsage][0], "\n") {
		rest, ok := strings.CutPrefix(line, "  commune ")
		if !ok {
			continue
		}
		var cmd []string
		for _, w := range strings.Fields(rest) {
			if strings.HasPrefix(w, "[") || strings.ToUpper(w) == w {
				break
			}
			cmd = append(cmd, w)
		}
		if len(cmd) > 0 && cmd[0] != "help" {
			out = append(out, cmd)
		}
	}
	if len(out) < 8 {
		t.Fatalf("found %d commands in the usage, want 8 or more: %q", len(out), out)
	}
	return out
}

// helpFlag is one flag of a help: its placeholder and what it does.
type helpFlag struct{ placeholder, text string }

// helpFlags reads the flags of a help: a line "  -name PLACEHOLDER",
// then the lines of its text, indented.
func helpFlags(help string) map[string]helpFlag {
	flags := map[string]helpFlag{}
	name := ""
	for _, line := range strings.Split(help, "\n") {
		switch {
		case strings.HasPrefix(line, "  -"):
			f := strings.Fields(line)
			name = strings.TrimPrefix(f[0], "-")
			var ph string
			if len(f) > 1 {
				ph = strings.Join(f[1:], " ")
			}
			flags[name] = helpFlag{placeholder: ph}
		case name != "" && strings.HasPrefix(line, flagIndent):
			f := flags[name]
			f.text = strings.TrimSpace(f.text + " " + strings.TrimSpace(line))
			flags[name] = f
		default:
			name = ""
		}
	}
	return flags
}

// checkLines fails on a line of a help wider than a terminal, and on a
// line of running text broken well before the margin in mid-sentence
// (the next line goes on in lower case), as "Detrás de un proxy" was
// before "inverso".
func checkLines(t *testing.T, what, help string) {
	t.Helper()
	lines := strings.Split(help, "\n")
	for i, line := range lines {
		if n := utf8.RuneCountInString(line); n > helpWidth {
			t.Errorf("%s: line %d is %d characters, want at most %d: %q", what, i+1, n, helpWidth, line)
		}
		if i+1 == len(lines) || line == "" || strings.HasPrefix(line, " ") {
			continue
		}
		next := lines[i+1]
		if next == "" || strings.HasPrefix(next, " ") {
			continue
		}
		word := strings.Fields(next)[0]
		first, _ := utf8.DecodeRuneInString(word)
		if unicode.IsLower(first) && utf8.RuneCountInString(line)+1+utf8.RuneCountInString(word) <= helpWidth-16 {
			t.Errorf("%s: line %d is broken early, %q would fit after %q", what, i+1, word, line)
		}
	}
}

// TestHelp: the help of every command says each flag in the reader's
// language (no "English / Spanish" pairs, no flag left in English, the
// placeholders of values in Spanish too), and every help fits a
// terminal of 80 columns, its text wrapped evenly.
// TestHelpServe: commune help says serve serves the web pages, not only
// the JSON API, in both languages.
func TestHelpServe(t *testing.T) {
	for lang, want := range map[string]string{
		"en": "run the server: the web pages and the JSON API, on SQLite or PostgreSQL",
		"es": "ejecuta el servidor: las páginas web y la API JSON, sobre SQLite o\n        PostgreSQL",
	} {
		if _, out, _ := runCLI(t, lang, "help"); !strings.Contains(out, want) {
			t.Errorf("%s commune help: got\n%s\nwant serve described as %q", lang, out, want)
		}
	}
	for lang, want := range map[string]string{"en": "the web pages, the JSON API", "es": "las páginas web, la API JSON"} {
		if _, _, out := runCLI(t, lang, "serve", "-h"); !strings.Contains(out, want) {
			t.Errorf("%s commune serve -h: got\n%s\nwant %q in it", lang, out, want)
		}
	}
}

func TestHelp(t *testing.T) {
	typeNames := map[string]bool{"string": true, "int": true, "uint": true, "float": true, "duration": true, "value": true}
	for _, lang := range []string{"en", "es"} {
		code, out, _ := runCLI(t, lang, "help")
		if code != exitOK {
			t.Fatalf("%s help: exit %d", lang, code)
		}
		checkLines(t, lang+" commune help", out)
		_, out, _ = runCLI(t, lang, "lp", "-h")
		checkLines(t, lang+" commune lp -h", out)
	}
	for _, cmd := range helpCommands(t) {
		name := strings.Join(cmd, " ")
		helps := map[string]map[string]helpFlag{}
		for _, lang := range []string{"en", "es"} {
			code, out, errOut := runCLI(t, lang, append(cmd, "-h")...)
			if code != exitOK || out != "" {
				t.Errorf("%s %s -h: got exit %d, stdout %q; want 0 and the help on stderr", lang, name, code, out)
				continue
			}
			checkLines(t, lang+" "+name+" -h", errOut)
			helps[lang] = helpFlags(errOut)
			if len(helps[lang]) == 0 {
				t.Errorf("%s %s -h: no flags in\n%s", lang, name, errOut)
			}
		}
		en, es := helps["en"], helps["es"]
		for f, e := range en {
			s, ok := es[f]
			switch {
			case !ok:
				t.Errorf("%s -%s: in the English help only", name, f)
				continue
			case s.text == e.text:
				t.Errorf("%s -%s: no Spanish text: %q in both", name, f, s.text)
			case typeNames[s.placeholder]:
				t.Errorf("%s -%s: placeholder %q in the Spanish help", name, f, s.placeholder)
			case strings.Contains(s.text, "(default"):
				t.Errorf("%s -%s: English in the Spanish text %q", name, f, s.text)
			}
			for lang, text := range map[string]string{"en": e.text, "es": s.text} {
				if strings.Contains(text, " / ") || text == "" {
					t.Errorf("%s %s -%s: got %q, want one text in one language", lang, name, f, text)
				}
			}
		}
		for f := range es {
			if _, ok := en[f]; !ok {
				t.Errorf("%s -%s: in the Spanish help only", name, f)
			}
		}
	}
}

// TestWrap: words fill lines up to the width, a word too long for one
// stands alone, and the indent counts.
func TestWrap(t *testing.T) {
	for _, c := range []struct {
		words []string
		width int
		want  string
	}{
		{strings.Fields("a bb ccc dddd"), 8, "  a bb\n  ccc\n  dddd\n"},
		{strings.Fields("a bb ccc"), 9, "  a bb\n  ccc\n"},
		{strings.Fields("a bb ccc"), 10, "  a bb ccc\n"},
		{[]string{"a", "(por omisión 1m0s)"}, 12, "  a\n  (por omisión 1m0s)\n"},
		{strings.Fields("ñññ ñññ"), 9, "  ñññ ñññ\n"},
		{nil, 8, ""},
	} {
		if got := wrap(c.words, "  ", c.width); got != c.want {
			t.Errorf("wrap(%q, %d) = %q, want %q", c.words, c.width, got, c.want)
		}
	}
}
