// Command opsdeck is a terminal operations console for a small portfolio of
// businesses: KPIs, shortfalls, events with crew checklists, and role
// reports, all in one SQLite file. The program lives in internal/cli.
package main

import (
	"os"

	"opsdeck/internal/cli"
)

func main() { os.Exit(cli.NewMain().Execute(os.Args[1:])) }
