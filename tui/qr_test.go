package tui

import (
	"strings"
	"testing"
)

func TestQRBlock(t *testing.T) {
	q, err := qrBlock("http://127.0.0.1:8080/l/abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(q, "\n")
	// Version 4 at low correction: 33 modules and a quiet zone of two each
	// side, 37 columns, two rows a line.
	if len(lines) != 19 || len([]rune(lines[0])) != 37 {
		t.Errorf("%d lines of %d columns", len(lines), len([]rune(lines[0])))
	}
	if lines[0] != strings.Repeat("█", 37) {
		t.Errorf("the quiet zone is not light: %q", lines[0])
	}
}
