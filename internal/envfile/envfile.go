// Package envfile reads opsdeck's env files: a small, strict format whose
// values are taken literally and whose errors never show any part of a
// value, since the values are often secrets and the errors go to a
// terminal, a log or the systemd journal.
//
// The format, one line at a time:
//
//	# a comment: # as the first character that is not a space or a tab
//	NAME=value            unquoted: everything after =, literally
//	export NAME=value     the same; "export " is allowed and ignored
//	NAME='value'          single quotes: literal, may not contain '
//	NAME="value"          double quotes: \n, \" and \\ are the only escapes
//
// Blank lines are skipped. A name is [A-Za-z_][A-Za-z0-9_]*. Spaces and
// tabs are allowed at the start of a line and around =, and are trimmed
// from both ends of an unquoted value.
//
// An unquoted value is everything after = up to the end of the line: $ is
// not expanded, a backslash is a backslash, quotes after the first
// character are plain characters, and " #" does not start a comment
// (NAME=a # b is "a # b"). A quoted value ends on its own line, and only
// spaces or tabs may follow the closing quote. $ is never expanded, in any
// kind of value.
//
// A name given twice is an error, as are control characters other than
// tab (NUL among them), bytes that are not UTF-8, lines longer than
// [MaxLine] bytes and files larger than [MaxSize]. Lines may end in \n or
// \r\n, and a UTF-8 byte order mark at the very start is skipped.
package envfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"
)

// Limits on what is read: an env file is a few dozen short lines.
const (
	MaxLine = 64 << 10 // bytes in a line, without its line ending
	MaxSize = 1 << 20  // bytes in a file
)

// SyntaxError is a mistake in an env file. Its message names the file, the
// line and, when the line has a valid one, the variable, and says what is
// wrong; it never holds any part of a value.
type SyntaxError struct {
	File string
	Line int    // 1-based; 0 for the file as a whole
	Name string // the variable, "" if the line has no valid NAME=
	Msg  string
}

func (e *SyntaxError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ": line %d", e.Line)
	}
	if e.Name != "" {
		b.WriteString(", ")
		b.WriteString(e.Name)
	}
	b.WriteString(": ")
	b.WriteString(e.Msg)
	return b.String()
}

// Read parses the env file at path. A file that cannot be opened or read
// gives the os error (errors.Is(err, os.ErrNotExist) for a missing one); a
// file that does not parse gives a *SyntaxError.
func Read(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxSize {
		return nil, &SyntaxError{File: path, Msg: fmt.Sprintf("larger than %d bytes", MaxSize)}
	}
	return Parse(path, data)
}

// Parse parses data, the contents of the env file named file (the name is
// only for errors).
func Parse(file string, data []byte) (map[string]string, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	vars := map[string]string{}
	seen := map[string]int{}
	for n := 1; len(data) > 0; n++ {
		var line []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			line, data = data, nil
		}
		line = bytes.TrimSuffix(line, []byte("\r"))
		name, value, err := parseLine(line)
		if err != nil {
			return nil, &SyntaxError{File: file, Line: n, Name: name, Msg: err.Error()}
		}
		if name == "" {
			continue
		}
		if first, dup := seen[name]; dup {
			return nil, &SyntaxError{File: file, Line: n, Name: name, Msg: fmt.Sprintf("already set on line %d", first)}
		}
		seen[name] = n
		vars[name] = value
	}
	return vars, nil
}

// parseLine parses one line without its line ending. A blank or comment
// line gives no name. On an error, name is the variable when the line
// starts with a valid NAME=, so the error can say which one; the error's
// text holds nothing from the line.
func parseLine(line []byte) (name, value string, err error) {
	s := string(line)
	rest := trimLeft(s)
	if rest == "" || rest[0] == '#' {
		return "", "", checkBytes(s)
	}
	// The name is known before the rest of the line is checked, so every
	// error on a NAME= line can name its variable.
	if after, ok := strings.CutPrefix(rest, "export"); ok && after != "" && (after[0] == ' ' || after[0] == '\t') {
		rest = trimLeft(after)
	}
	eq := strings.IndexByte(rest, '=')
	if eq < 0 {
		if err := checkBytes(s); err != nil {
			return "", "", err
		}
		return "", "", errors.New(`no "=": a line is NAME=value, a # comment or blank`)
	}
	name = strings.TrimRight(rest[:eq], " \t")
	if !validName(name) {
		if err := checkBytes(s); err != nil {
			return "", "", err
		}
		return "", "", errors.New("the text before = is not a variable name (letters, digits and _, not starting with a digit)")
	}
	if err := checkBytes(s); err != nil {
		return name, "", err
	}
	value, err = parseValue(trimLeft(rest[eq+1:]))
	if err != nil {
		return name, "", err
	}
	return name, value, nil
}

// checkBytes rejects what cannot be in an env file; s is a whole line.
func checkBytes(s string) error {
	if len(s) > MaxLine {
		return fmt.Errorf("line longer than %d bytes", MaxLine)
	}
	if !utf8.ValidString(s) {
		return errors.New("not valid UTF-8")
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == 0:
			return errors.New("NUL byte")
		case c == '\r':
			return errors.New(`carriage return inside the line (in a double-quoted value write \n)`)
		case (c < ' ' && c != '\t') || c == 0x7f:
			return errors.New(`control character (in a double-quoted value write \n for a newline)`)
		}
	}
	return nil
}

// parseValue parses what follows = and any spaces after it.
func parseValue(v string) (string, error) {
	if v == "" {
		return "", nil
	}
	switch v[0] {
	case '\'':
		end := strings.IndexByte(v[1:], '\'')
		if end < 0 {
			return "", errors.New("unterminated single quote (a quoted value ends on its own line)")
		}
		if trimLeft(v[end+2:]) != "" {
			return "", errors.New("text after the closing single quote (a # comment needs a line of its own)")
		}
		return v[1 : end+1], nil
	case '"':
		var b strings.Builder
		for i := 1; i < len(v); i++ {
			switch c := v[i]; c {
			case '"':
				if trimLeft(v[i+1:]) != "" {
					return "", errors.New("text after the closing double quote (a # comment needs a line of its own)")
				}
				return b.String(), nil
			case '\\':
				if i+1 == len(v) {
					return "", errors.New("unterminated double quote (a quoted value ends on its own line)")
				}
				i++
				switch v[i] {
				case 'n':
					b.WriteByte('\n')
				case '"', '\\':
					b.WriteByte(v[i])
				default:
					return "", errors.New(`unknown escape in a double-quoted value (only \n, \" and \\; use single quotes for a literal \)`)
				}
			default:
				b.WriteByte(c)
			}
		}
		return "", errors.New("unterminated double quote (a quoted value ends on its own line)")
	}
	return strings.TrimRight(v, " \t"), nil
}

func trimLeft(s string) string { return strings.TrimLeft(s, " \t") }

func validName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '_', 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z':
		case '0' <= c && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}
