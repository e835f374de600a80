package envfile

import (
	"errors"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestParseValues(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     map[string]string
	}{
		{"plain", "A=b\n", map[string]string{"A": "b"}},
		{"no final newline", "A=b", map[string]string{"A": "b"}},
		{"empty value", "A=\n", map[string]string{"A": ""}},
		{"export", "export A=b\nexport\tB=c\n", map[string]string{"A": "b", "B": "c"}},
		{"a variable called export", "export=1\n", map[string]string{"export": "1"}},
		{"spaces around =, indentation", "  A = b  \n\tB\t=\tc\t\n", map[string]string{"A": "b", "B": "c"}},
		{"comments and blank lines", "# one\n\n  # two\n\t\nA=b\n#C=d\n", map[string]string{"A": "b"}},
		{"unquoted is literal", `A=$HOME ${X} \n \\ a"b'c`, map[string]string{"A": `$HOME ${X} \n \\ a"b'c`}},
		{"unquoted hash is not a comment", "A=b # c\nB=#d\n", map[string]string{"A": "b # c", "B": "#d"}},
		{"unquoted keeps = and inner spaces", "A=x=y  z\n", map[string]string{"A": "x=y  z"}},
		{"single quotes are literal", `A='$HOME ${X} \n \ " # '`, map[string]string{"A": `$HOME ${X} \n \ " # `}},
		{"double quotes: escapes, no expansion", `A="$HOME ${X} a\nb \"q\" c\\d # e"`, map[string]string{"A": "$HOME ${X} a\nb \"q\" c\\d # e"}},
		{"double quotes may hold '", `A="it's"`, map[string]string{"A": "it's"}},
		{"spaces after a closing quote", "A='x'  \nB=\"y\"\t\n", map[string]string{"A": "x", "B": "y"}},
		{"empty quotes", "A=''\nB=\"\"\n", map[string]string{"A": "", "B": ""}},
		{"CRLF", "A=b\r\nB='c'\r\nC=\"d\"\r\n\r\n# e\r\n", map[string]string{"A": "b", "B": "c", "C": "d"}},
		{"BOM", "\xef\xbb\xbfA=b\n", map[string]string{"A": "b"}},
		{"UTF-8 and tabs in values", "A=grüß\tdich\nB=\"日本\"\n", map[string]string{"A": "grüß\tdich", "B": "日本"}},
		{"names", "_=1\na_B9=2\n", map[string]string{"_": "1", "a_B9": "2"}},
		{"empty file", "", map[string]string{}},
		{"a line of exactly MaxLine bytes", "A=" + strings.Repeat("x", MaxLine-2), map[string]string{"A": strings.Repeat("x", MaxLine-2)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse("t.env", []byte(tc.in))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if !maps.Equal(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// secret is put in every malformed file, before and after the bad line; no
// part of it may appear in an error.
const secret = "s3cr3t-XYZ-7Qw9-pLm2"

func TestParseErrors(t *testing.T) {
	before := "# settings\nOPSDECK_JWT_SECRET=" + secret + "\nexport OPSDECK_SMTP_PASSWORD='" + secret + "'\n"
	after := "\nOPSDECK_JWT_PREVIOUS_SECRET=\"" + secret + "\"\nAWS_SECRET_ACCESS_KEY=" + secret + "\n"
	for _, tc := range []struct {
		name, bad string
		want      string // the error after "t.env: line 4"
	}{
		{"bad character, no =", "!" + secret, `: no "="`},
		{"bad character, with =", "!bad=" + secret, `: the text before = is not a variable name`},
		{"name starting with a digit", "9A=" + secret, `: the text before = is not a variable name`},
		{"name with a dash", "OPSDECK-DB=" + secret, `: the text before = is not a variable name`},
		{"empty name", "=" + secret, `: the text before = is not a variable name`},
		{"name with a space", "A B=" + secret, `: the text before = is not a variable name`},
		{"missing =", secret, `: no "="`},
		{"missing =, name-like", "s3cr3tXYZ7Qw9pLm2", `: no "="`},
		{"export with no =", "export " + secret, `: no "="`},
		{"unterminated double quote", `OPSDECK_JWT_SECRET="` + secret, `, OPSDECK_JWT_SECRET: unterminated double quote`},
		{"unterminated double quote ending in \\", `OPSDECK_JWT_SECRET="` + secret + `\`, `, OPSDECK_JWT_SECRET: unterminated double quote`},
		{"escaped closing double quote", `OPSDECK_JWT_SECRET="` + secret + `\"`, `, OPSDECK_JWT_SECRET: unterminated double quote`},
		{"unterminated single quote", `OPSDECK_JWT_SECRET='` + secret, `, OPSDECK_JWT_SECRET: unterminated single quote`},
		{"multi-line double quote", "OPSDECK_JWT_SECRET=\"" + secret + "\n" + secret + "\"", `, OPSDECK_JWT_SECRET: unterminated double quote`},
		{"text after a double quote", `OPSDECK_JWT_SECRET="` + secret + `"` + secret, `, OPSDECK_JWT_SECRET: text after the closing double quote`},
		{"comment after a single quote", `OPSDECK_JWT_SECRET='` + secret + `' # the key`, `, OPSDECK_JWT_SECRET: text after the closing single quote`},
		{"unknown escape", `OPSDECK_JWT_SECRET="` + secret + `\$HOME"`, `, OPSDECK_JWT_SECRET: unknown escape`},
		{"NUL byte", "OPSDECK_JWT_SECRET=" + secret + "\x00" + secret, `, OPSDECK_JWT_SECRET: NUL byte`},
		{"NUL byte in a comment", "# " + secret + "\x00", `: NUL byte`},
		{"NUL byte in the name", "OPSDECK\x00_DB=" + secret, `: NUL byte`},
		{"control character", "OPSDECK_JWT_SECRET=" + secret + "\x1b[2J", `, OPSDECK_JWT_SECRET: control character`},
		{"DEL", "OPSDECK_JWT_SECRET=" + secret + "\x7f", `, OPSDECK_JWT_SECRET: control character`},
		{"lone CR", "OPSDECK_JWT_SECRET=" + secret + "\r" + secret, `, OPSDECK_JWT_SECRET: carriage return`},
		{"invalid UTF-8", "OPSDECK_JWT_SECRET=" + secret + "\xff\xfe", `, OPSDECK_JWT_SECRET: not valid UTF-8`},
		{"invalid UTF-8 in the name", "OPSDECK_\xffDB=" + secret, `: not valid UTF-8`},
		{"line too long", "OPSDECK_JWT_SECRET=" + secret + strings.Repeat("x", MaxLine), `, OPSDECK_JWT_SECRET: line longer than 65536 bytes`},
		{"line too long, no name", strings.Repeat(secret, MaxLine/len(secret)+1), `: line longer than 65536 bytes`},
		{"duplicate", "OPSDECK_JWT_SECRET=" + secret + "-2", `, OPSDECK_JWT_SECRET: already set on line 2`},
		{"duplicate with export", "export OPSDECK_SMTP_PASSWORD=x", `, OPSDECK_SMTP_PASSWORD: already set on line 3`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, eol := range []string{"\n", "\r\n"} {
				in := before + tc.bad + after
				if eol == "\r\n" {
					in = "\xef\xbb\xbf" + strings.ReplaceAll(in, "\n", "\r\n")
				}
				_, err := Parse("t.env", []byte(in))
				var se *SyntaxError
				if !errors.As(err, &se) {
					t.Fatalf("%q: got %v, want a *SyntaxError", eol, err)
				}
				if want := "t.env: line 4" + tc.want; !strings.HasPrefix(err.Error(), want) {
					t.Errorf("%q: error %q, want it to start %q", eol, err, want)
				}
				if leak := leaked(err.Error(), secret); leak != "" {
					t.Errorf("%q: error %q shows %q of the secret", eol, err, leak)
				}
				if strings.ContainsAny(err.Error(), "\n\r\x00") {
					t.Errorf("%q: error %q is not one clean line", eol, err)
				}
			}
		})
	}
}

// leaked is the longest piece of secret (4 bytes or more) in s, or "".
func leaked(s, secret string) string {
	for n := len(secret); n >= 4; n-- {
		for i := 0; i+n <= len(secret); i++ {
			if strings.Contains(s, secret[i:i+n]) {
				return secret[i : i+n]
			}
		}
	}
	return ""
}

func TestRead(t *testing.T) {
	dir := t.TempDir()
	if _, err := Read(filepath.Join(dir, "missing.env")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v, want ErrNotExist", err)
	}
	if _, err := Read(dir); err == nil || errors.As(err, new(*SyntaxError)) {
		t.Errorf("a directory: %v, want a read error", err)
	}
	big := filepath.Join(dir, "big.env")
	if err := os.WriteFile(big, []byte(strings.Repeat("A="+secret+"\n", MaxSize/len(secret))), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Read(big)
	if want := big + ": larger than 1048576 bytes"; err == nil || err.Error() != want {
		t.Errorf("a big file: %v, want %s", err, want)
	}
	ok := filepath.Join(dir, "ok.env")
	if err := os.WriteFile(ok, []byte("A='$HOME'\nB=${X}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := Read(ok)
	if want := map[string]string{"A": "$HOME", "B": "${X}"}; err != nil || !maps.Equal(got, want) {
		t.Errorf("Read: %q, %v; want %q", got, err, want)
	}
}

// FuzzParse checks that an error is made only of the file name, the line
// number, a valid variable name and one of a fixed set of messages, so it
// cannot carry any piece of a value whatever the input.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"A=b\n", "export A='b'\r\n", "A=\"b\\n\"\n", "\xef\xbb\xbfA=b", "A=\"b", "A='b", "!b", "b", "A=b\x00",
		"A=\xff", "A=1\nA=2", "A=\"b\\x\"", "A=\"b\" c", "# c\n\nA=b", "A=b\rc",
	} {
		f.Add([]byte(s))
	}
	digits := regexp.MustCompile(`[0-9]+`)
	fixed := map[string]bool{}
	for _, m := range []string{
		`no "=": a line is NAME=value, a # comment or blank`,
		"the text before = is not a variable name (letters, digits and _, not starting with a digit)",
		"line longer than N bytes", "not valid UTF-N", "NUL byte",
		`carriage return inside the line (in a double-quoted value write \n)`,
		`control character (in a double-quoted value write \n for a newline)`,
		"unterminated single quote (a quoted value ends on its own line)",
		"unterminated double quote (a quoted value ends on its own line)",
		"text after the closing single quote (a # comment needs a line of its own)",
		"text after the closing double quote (a # comment needs a line of its own)",
		`unknown escape in a double-quoted value (only \n, \" and \\; use single quotes for a literal \)`,
		"already set on line N",
	} {
		fixed[m] = true
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		vars, err := Parse("t.env", data)
		if err == nil {
			for k := range vars {
				if !validName(k) {
					t.Fatalf("name %q accepted", k)
				}
			}
			return
		}
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Fatalf("error %v is not a *SyntaxError", err)
		}
		if se.File != "t.env" || se.Line < 1 || !fixed[digits.ReplaceAllString(se.Msg, "N")] {
			t.Fatalf("error %q is not file, line and a fixed message", err)
		}
		if se.Name != "" && !validName(se.Name) {
			t.Fatalf("error %q names %q, not a valid name", err, se.Name)
		}
	})
}
