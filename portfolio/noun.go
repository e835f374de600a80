package portfolio

import (
	"strconv"
	"strings"
)

// nouns name each kind in plain words, one and many, as a sentence says
// them: "cost line", "cost lines". Every kind has both (a test checks).
var nouns = map[string][2]string{
	"entity":          {"entity", "entities"},
	"person":          {"person", "people"},
	"account":         {"account", "accounts"},
	"kpi":             {"KPI", "KPIs"},
	"reading":         {"KPI reading", "KPI readings"},
	"shortfall":       {"shortfall", "shortfalls"},
	"action":          {"action", "actions"},
	"cost-line":       {"cost line", "cost lines"},
	"unit-economics":  {"unit economics entry", "unit economics entries"},
	"revenue-month":   {"revenue month", "revenue months"},
	"capital-tier":    {"capital tier", "capital tiers"},
	"financial-rule":  {"financial rule", "financial rules"},
	"channel":         {"marketing channel", "marketing channels"},
	"channel-task":    {"channel task", "channel tasks"},
	"finding":         {"technical finding", "technical findings"},
	"dev-gap":         {"development gap", "development gaps"},
	"recognition-gap": {"recognition gap", "recognition gaps"},
	"milestone":       {"milestone", "milestones"},
	"event":           {"event", "events"},
	"crew":            {"crew member", "crew members"},
	"phase":           {"checklist phase", "checklist phases"},
	"item":            {"checklist item", "checklist items"},
	"schedule":        {"report schedule", "report schedules"},
}

// Noun is one record of the kind in plain words: "cost line", "KPI".
func (k *Kind) Noun() string { return nouns[k.Name][0] }

// Nouns is more than one: "cost lines", "people".
func (k *Kind) Nouns() string { return nouns[k.Name][1] }

// Count says how many records of the kind: "1 cost line", "3 cost lines",
// "0 people".
func (k *Kind) Count(n int) string {
	if n == 1 {
		return "1 " + k.Noun()
	}
	return strconv.Itoa(n) + " " + k.Nouns()
}

// A is the noun with its article, as it is said: "a cost line", "an
// entity", "a KPI".
func (k *Kind) A() string { return Article(k.Noun()) + " " + k.Noun() }

// Article is "a" or "an" before phrase, as it is said: "an entity", "a
// unit", "a KPI" (kay-pee-eye), "an FAQ" (eff-ay-queue).
func Article(phrase string) string {
	word, _, _ := strings.Cut(phrase, " ")
	if word == "" {
		return "a"
	}
	vowels := "aeioAEIO"
	if len(word) > 1 && word == strings.ToUpper(word) {
		// Letters said by name: those whose name starts with a vowel.
		vowels = "AEFHILMNORSX"
	}
	if strings.ContainsRune(vowels, rune(word[0])) {
		return "an"
	}
	return "a"
}
