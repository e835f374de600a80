package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// envSecret is in every env file below, in several places; no piece of it
// may reach stdout or stderr.
const envSecret = "s3cr3t-XYZ-7Qw9-pLm2-0123456789abcdef"

// secretShown is the longest piece (4 bytes or more) of secret in s, or "".
func secretShown(s, secret string) string {
	for n := len(secret); n >= 4; n-- {
		for i := 0; i+n <= len(secret); i++ {
			if strings.Contains(s, secret[i:i+n]) {
				return secret[i : i+n]
			}
		}
	}
	return ""
}

// A malformed env file stops every command with exit status 2 and one line
// naming the file, the line and (when the line has one) the variable; no
// part of any value in the file is shown, and nothing is created.
func TestEnvFileErrorsShowNoSecret(t *testing.T) {
	before := "# crew server\nOPSDECK_JWT_SECRET=" + envSecret + "\nexport OPSDECK_SMTP_PASSWORD='" + envSecret + "'\n"
	after := "\nOPSDECK_JWT_PREVIOUS_SECRET=\"" + envSecret + "\"\nAWS_SECRET_ACCESS_KEY=" + envSecret + "\nAWS_SESSION_TOKEN=" + envSecret + "\n"
	for _, tc := range []struct {
		name, bad string
		want      string // the message after "line 4"
	}{
		{"bad character", "!bad\x20" + envSecret, `: no "=": a line is NAME=value, a # comment or blank`},
		{"bad name", "OPSDECK-JWT-SECRET=" + envSecret, `: the text before = is not a variable name (letters, digits and _, not starting with a digit)`},
		{"missing =", envSecret, `: no "=": a line is NAME=value, a # comment or blank`},
		{"unterminated double quote", `OPSDECK_JWT_SECRET="` + envSecret, `, OPSDECK_JWT_SECRET: unterminated double quote (a quoted value ends on its own line)`},
		{"unterminated single quote", `OPSDECK_SMTP_PASSWORD='` + envSecret, `, OPSDECK_SMTP_PASSWORD: unterminated single quote (a quoted value ends on its own line)`},
		{"text after a quote", `AWS_SESSION_TOKEN="` + envSecret + `" ` + envSecret, `, AWS_SESSION_TOKEN: text after the closing double quote (a # comment needs a line of its own)`},
		{"unknown escape", `OPSDECK_JWT_SECRET="\t` + envSecret + `"`, `, OPSDECK_JWT_SECRET: unknown escape in a double-quoted value (only \n, \" and \\; use single quotes for a literal \)`},
		{"NUL byte", "OPSDECK_JWT_SECRET=" + envSecret + "\x00", `, OPSDECK_JWT_SECRET: NUL byte`},
		{"invalid UTF-8", "OPSDECK_JWT_SECRET=" + envSecret[:10] + "\xc3\x28" + envSecret[10:], `, OPSDECK_JWT_SECRET: not valid UTF-8`},
		{"terminal escape", "OPSDECK_JWT_SECRET=" + envSecret + "\x1b]0;title\x07", `, OPSDECK_JWT_SECRET: control character (in a double-quoted value write \n for a newline)`},
		{"line too long", "OPSDECK_JWT_SECRET=" + strings.Repeat(envSecret, 2000), `, OPSDECK_JWT_SECRET: line longer than 65536 bytes`},
		{"duplicate name", "OPSDECK_JWT_SECRET=" + envSecret + "-new", `, OPSDECK_JWT_SECRET: already set on line 2`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, eol := range []string{"\n", "\r\n"} {
				dir := t.TempDir()
				text := before + tc.bad + after
				if eol == "\r\n" {
					text = "\xef\xbb\xbf" + strings.ReplaceAll(text, "\n", "\r\n")
				}
				envPath := filepath.Join(dir, "bad.env")
				if err := os.WriteFile(envPath, []byte(text), 0o600); err != nil {
					t.Fatal(err)
				}
				db := filepath.Join(dir, "opsdeck.db")
				for _, args := range [][]string{{"status"}, {"link", "1", "sam"}, {"init", "--demo"}} {
					stdout, stderr, code := cli(t, map[string]string{"XDG_DATA_HOME": dir},
						append([]string{"--env-file", envPath, "--db", db}, args...)...)
					if code != exitUsage {
						t.Errorf("%q %v: exit %d, want %d", eol, args, code, exitUsage)
					}
					if want := "opsdeck: env file " + envPath + ": line 4" + tc.want + "\n"; stderr != want {
						t.Errorf("%q %v: stderr\n%q, want\n%q", eol, args, stderr, want)
					}
					// The file's path is the test's temporary directory, whose
					// random digits once held "2345"; stderr is held to the
					// exact message above, so only the rest is searched.
					if leak := secretShown(strings.ReplaceAll(stdout+stderr, envPath, ""), envSecret); leak != "" {
						t.Errorf("%q %v: the output shows %q of the secret:\n%s%s", eol, args, leak, stdout, stderr)
					}
					if stdout != "" {
						t.Errorf("%q %v: stdout %q", eol, args, stdout)
					}
				}
				entries, _ := os.ReadDir(dir)
				if len(entries) != 1 {
					t.Errorf("%q: the failed commands left %d files in %s, want only bad.env", eol, len(entries), dir)
				}
			}
		})
	}
}

// $ is never expanded: a secret with $HOME or ${X} in it is that secret.
func TestEnvFileValuesLiteral(t *testing.T) {
	path := filepath.Join(t.TempDir(), "literal.env")
	env := map[string]string{"HOME": "/home/nobody", "X": "expanded", "OPSDECK_ENV_FILE": path}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	// \$ is not one of the escapes, so it is refused rather than guessed at.
	if err := os.WriteFile(path, []byte("A=1\nB=2\nC=3\nD=\"\\$HOME\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := loadConfig(lookup, map[string]string{}); exitCode(err) != exitUsage || !strings.Contains(fmt.Sprint(err), "line 4, D: unknown escape") {
		t.Errorf("\\$ in double quotes: %v (exit %d), want a usage error for line 4, D", err, exitCode(err))
	}
	text := `A=$HOME/x
B=${X}y
C='$HOME ${X}'
D="$HOME ${X}"
E=a\nb \\ # c $
export F="\\$HOME\n"
`
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	c, _, err := loadConfig(lookup, map[string]string{})
	if err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]string{
		"A": "$HOME/x", "B": "${X}y", "C": "$HOME ${X}", "D": "$HOME ${X}", "E": `a\nb \\ # c $`, "F": "\\$HOME\n",
	} {
		if got, _ := c.get(key); got != want {
			t.Errorf("%s = %q, want %q", key, got, want)
		}
	}
}

// The settings that hold secrets are never echoed by an error: a signing
// key that is too short says how long it is, not what it is.
func TestEnvSecretSettingsNotEchoed(t *testing.T) {
	db := demoDB(t)
	dir := t.TempDir()
	long := envSecret + "-" + envSecret
	for _, tc := range []struct {
		name, file string
		want       *regexp.Regexp
	}{
		{"short signing key", "OPSDECK_JWT_SECRET=" + envSecret[:20] + "\n",
			regexp.MustCompile(`^opsdeck: signing key is 20 bytes; it must be at least 32\n$`)},
		{"short previous signing key", "OPSDECK_JWT_SECRET=" + long + "\nOPSDECK_JWT_PREVIOUS_SECRET='" + envSecret[:8] + "'\n",
			regexp.MustCompile(`^opsdeck: previous signing key is 8 bytes; it must be at least 32\n$`)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, "secret.env")
			if err := os.WriteFile(path, []byte(tc.file), 0o600); err != nil {
				t.Fatal(err)
			}
			stdout, stderr, code := cli(t, nil, "--env-file", path, "--db", db, "link", "1", "sam")
			if code == 0 || !tc.want.MatchString(stderr) {
				t.Errorf("exit %d, stderr %q; want it to match %s", code, stderr, tc.want)
			}
			if leak := secretShown(stdout+stderr, envSecret); leak != "" {
				t.Errorf("the output shows %q of the secret: %s%s", leak, stdout, stderr)
			}
		})
	}
	// SMTP and SES refuse the connection: the errors name the address, not
	// the password, the AWS secret key or the session token.
	for name, file := range map[string]string{
		"smtp": "OPSDECK_SMTP_HOST=127.0.0.1\nOPSDECK_SMTP_PORT=1\nOPSDECK_SMTP_USERNAME=ops\nOPSDECK_SMTP_PASSWORD=" + envSecret + "\n",
		"ses": "OPSDECK_MAIL_TRANSPORT=ses\nOPSDECK_SES_ENDPOINT=http://127.0.0.1:1\nAWS_REGION=us-east-1\nAWS_ACCESS_KEY_ID=AKIAEXAMPLE\n" +
			"AWS_SECRET_ACCESS_KEY=" + envSecret + "\nAWS_SESSION_TOKEN=" + envSecret + "\n",
	} {
		path := filepath.Join(dir, name+".env")
		if err := os.WriteFile(path, []byte("OPSDECK_MAIL_FROM=ops@example.com\n"+file), 0o600); err != nil {
			t.Fatal(err)
		}
		stdout, stderr, code := cli(t, nil, "--env-file", path, "--db", db, "send", "ceo", "--to", "sam@example.com")
		if code != exitFailure || !strings.Contains(stderr, "127.0.0.1:1: connect: connection refused") {
			t.Errorf("%s: exit %d; want %d and the server named:\n%s%s", name, code, exitFailure, stdout, stderr)
		}
		if leak := secretShown(stdout+stderr, envSecret); leak != "" {
			t.Errorf("%s: the failure shows %q of the secret:\n%s%s", name, leak, stdout, stderr)
		}
	}
}
