// Package demo loads the demo portfolio: the owner's own businesses as the
// seed write-up describes them, for a first run and for tests.
package demo

import (
	"context"
	"fmt"
	"time"

	"opsdeck/portfolio"
	"opsdeck/store"
)

// TimeZone is where the demo portfolio operates (San Diego).
const TimeZone = "America/Los_Angeles"

// loader is the state of one demo load: the ids of what it has created so
// far, so later rows can refer to earlier ones by a short name.
type loader struct {
	tx       *store.Tx
	ctx      context.Context
	entity   map[string]int64
	person   map[string]int64
	shortfal map[string]int64
	today    portfolio.Date // in the demo's time zone
	loc      *time.Location
}

// Load fills an empty database with the demo portfolio, in tx: a
// yacht-charter company, an events brand, a waste-hauling business and an
// entertainment act, with their real shortfalls, costs and plans. Dates
// that must stay in the future (events, the 30-day plan) are set relative
// to the clock. The audit log gets one entry for the whole load.
func Load(ctx context.Context, tx *store.Tx) error {
	loc, err := time.LoadLocation(TimeZone)
	if err != nil {
		return fmt.Errorf("demo time zone: %w", err)
	}
	d := &loader{tx: tx, ctx: ctx, entity: map[string]int64{}, person: map[string]int64{},
		shortfal: map[string]int64{}, today: portfolio.DateOf(tx.Now().In(loc)), loc: loc}
	steps := []struct {
		name string
		run  func() error
	}{
		{"portfolio", d.portfolio},
		{"people", d.people},
		{"KPIs", d.kpis},
		{"shortfalls", d.shortfalls},
		{"action plan", d.actions},
		{"chart of accounts", d.accounts},
		{"costs", d.costs},
		{"revenue", d.revenue},
		{"capital plan", d.capital},
		{"marketing", d.marketing},
		{"technology", d.technology},
		{"accounting", d.accounting},
		{"events", d.events},
		{"schedules", d.schedules},
	}
	return tx.Bulk(ctx, "load_demo", "portfolio", func() (any, error) {
		for _, st := range steps {
			if err := st.run(); err != nil {
				return nil, fmt.Errorf("load demo %s: %w", st.name, err)
			}
		}
		return map[string]any{"entities": len(d.entity), "people": len(d.person)}, nil
	})
}

func (d *loader) portfolio() error {
	if err := d.tx.SetMeta(d.ctx, "portfolio_name", "Queen of San Diego Portfolio"); err != nil {
		return err
	}
	entities := []portfolio.Entity{
		{Code: "JADA", Name: "JADA Yacht Charters", Kind: portfolio.KindOperating,
			Description: "Private luxury sailing charters on San Diego Bay and the coast: sunset cruises, celebrations, corporate outings."},
		{Code: "QOS", Name: "Queen of San Diego", Kind: portfolio.KindOperating,
			Description: "The umbrella brand: waterfront events, concerts and the portfolio's audience of email subscribers."},
		{Code: "QDN", Name: "QuickDumpNow", Kind: portfolio.KindOperating,
			Description: "Same-day junk removal and dumpster hauling across San Diego County."},
		{Code: "DC", Name: "DangerousCentaur", Kind: portfolio.KindOperating,
			Description: "A live entertainment act booked for concerts, private events and festivals."},
		{Code: "SCC", Name: "ShipCaptainCrew", Kind: portfolio.KindAncillary,
			Description: "The crew checklist and event platform every charter runs on."},
		{Code: "CLOUD", Name: "Shared AWS account", Kind: portfolio.KindAncillary,
			Description: "S3, CloudFront, Lambda, SES and Route 53 hosting every site, form and mailer in the portfolio."},
		{Code: "TOOLS", Name: "Operations tooling", Kind: portfolio.KindAncillary,
			Description: "Report generators, deployment scripts and the project handoff notes."},
	}
	for i := range entities {
		entities[i].Position = i + 1
		if err := d.tx.CreateEntity(d.ctx, &entities[i]); err != nil {
			return err
		}
		d.entity[entities[i].Code] = entities[i].ID
	}
	return nil
}

func (d *loader) people() error {
	people := []struct {
		key string
		p   portfolio.Person
	}{
		{"owner", portfolio.Person{Name: "Casey Brooks", Email: "owner@example.com", Phone: "+1 619 555 0100", Title: "Owner", Role: portfolio.AccessAdmin}},
		{"captain", portfolio.Person{Name: "Morgan Reyes", Email: "morgan.reyes@example.com", Phone: "+1 619 555 0111", Title: "Captain, JADA", Role: portfolio.AccessCaptain}},
		{"deck1", portfolio.Person{Name: "Sam Okafor", Email: "sam.okafor@example.com", Phone: "+1 619 555 0122", Title: "Deckhand", Role: portfolio.AccessCrew}},
		{"deck2", portfolio.Person{Name: "Jess Tran", Email: "jess.tran@example.com", Phone: "+1 619 555 0133", Title: "Deckhand and steward", Role: portfolio.AccessCrew}},
		{"books", portfolio.Person{Name: "Riley Park", Email: "books@example.com", Title: "Bookkeeper (contract)", Role: portfolio.AccessGuest}},
		{"marketing", portfolio.Person{Name: "Dana Whitfield", Email: "dana.whitfield@example.com", Title: "Marketing lead", Role: portfolio.AccessGuest}},
		{"tech", portfolio.Person{Name: "Chris Novak", Email: "chris.novak@example.com", Title: "Cloud and web contractor", Role: portfolio.AccessGuest}},
	}
	for _, e := range people {
		p := e.p
		if err := d.tx.CreatePerson(d.ctx, &p); err != nil {
			return err
		}
		d.person[e.key] = p.ID
	}
	recipients := map[portfolio.ReportRole][]string{
		portfolio.RoleCEO:        {"owner"},
		portfolio.RoleCTO:        {"owner", "tech"},
		portfolio.RoleCMO:        {"owner", "marketing"},
		portfolio.RoleCFO:        {"owner"},
		portfolio.RoleAccounting: {"owner", "books"},
	}
	for _, role := range portfolio.ReportRoles {
		for _, key := range recipients[role] {
			if err := d.tx.AddRecipient(d.ctx, role, d.person[key]); err != nil {
				return err
			}
		}
	}
	return nil
}

// demoKPI is a KPI with its reading history, newest last; no readings makes
// it a missing KPI.
type demoKPI struct {
	entity, key, name, unit string
	dir                     portfolio.Direction
	target                  float64
	owner                   portfolio.ReportRole
	readings                []float64
}

func (d *loader) kpis() error {
	kpis := []demoKPI{
		{"JADA", "charters", "Charters per month", "count", portfolio.HigherIsBetter, 6, portfolio.RoleCEO, []float64{1, 3, 2, 2}},
		{"JADA", "pipeline", "Qualified leads in pipeline", "count", portfolio.HigherIsBetter, 20, portfolio.RoleCMO, []float64{4, 1, 0}},
		{"JADA", "ota_listings", "Live OTA listings", "count", portfolio.HigherIsBetter, 2, portfolio.RoleCMO, []float64{0}},
		{"JADA", "avg_price", "Average charter price", "usd", portfolio.HigherIsBetter, 2400, portfolio.RoleCFO, []float64{2200, 2400}},
		{"JADA", "revenue", "Charter revenue this month", "usd", portfolio.HigherIsBetter, 14400, portfolio.RoleCFO, nil},
		{"JADA", "review_score", "Average guest review score", "rating", portfolio.HigherIsBetter, 4.8, portfolio.RoleCMO, nil},
		{"QOS", "subscribers", "Email subscribers", "count", portfolio.HigherIsBetter, 4000, portfolio.RoleCMO, []float64{3512, 3604, 3676}},
		{"QOS", "open_rate", "Email open rate", "percent", portfolio.HigherIsBetter, 35, portfolio.RoleCMO, nil},
		{"QOS", "tickets", "Event tickets sold this month", "count", portfolio.HigherIsBetter, 150, portfolio.RoleCEO, nil},
		{"QOS", "conversion", "Website enquiry conversion", "percent", portfolio.HigherIsBetter, 2, portfolio.RoleCMO, nil},
		{"QDN", "hauls", "Hauls per month", "count", portfolio.HigherIsBetter, 20, portfolio.RoleCEO, []float64{6, 11, 9}},
		{"QDN", "reviews", "Google reviews", "count", portfolio.HigherIsBetter, 25, portfolio.RoleCMO, []float64{19, 21, 23}},
		{"QDN", "quote_hours", "Quote response time", "hours", portfolio.LowerIsBetter, 2, portfolio.RoleCEO, []float64{3, 1.5}},
		{"QDN", "lead_cost", "Cost per lead", "usd", portfolio.LowerIsBetter, 40, portfolio.RoleCMO, nil},
		{"QDN", "revenue", "Haul revenue this month", "usd", portfolio.HigherIsBetter, 6500, portfolio.RoleCFO, nil},
		{"DC", "bookings", "Bookings per month", "count", portfolio.HigherIsBetter, 2, portfolio.RoleCEO, []float64{0, 1, 1}},
		{"DC", "followers", "Social followers", "count", portfolio.HigherIsBetter, 10000, portfolio.RoleCMO, []float64{5900, 6200}},
		{"DC", "booking_value", "Average booking value", "usd", portfolio.HigherIsBetter, 2500, portfolio.RoleCFO, nil},
		{"DC", "revenue", "Performance revenue this month", "usd", portfolio.HigherIsBetter, 5000, portfolio.RoleCFO, nil},
		{"SCC", "completion", "Checklist completion rate", "percent", portfolio.HigherIsBetter, 95, portfolio.RoleCTO, []float64{81, 88}},
		{"CLOUD", "aws_spend", "Monthly AWS spend", "usd", portfolio.LowerIsBetter, 100, portfolio.RoleCTO, []float64{121, 128}},
		{"CLOUD", "secrets", "Secrets exposed in repositories", "count", portfolio.LowerIsBetter, 0, portfolio.RoleCTO, []float64{3}},
	}
	for _, dk := range kpis {
		k := portfolio.KPI{EntityID: d.entity[dk.entity], Key: dk.key, Name: dk.name, Unit: dk.unit, Direction: dk.dir,
			Target: dk.target, Tolerance: 0.1, OwnerRole: dk.owner}
		if err := d.tx.CreateKPI(d.ctx, &k); err != nil {
			return err
		}
		// Readings a month apart, the newest a few days ago.
		for i, v := range dk.readings {
			age := len(dk.readings) - 1 - i
			at := d.tx.Now().AddDate(0, -age, -3)
			if err := d.tx.AddReading(d.ctx, k.ID, v, at, ""); err != nil {
				return err
			}
		}
	}
	return nil
}

// money is shorthand for whole dollars in the demo tables.
func money(dollars int64) portfolio.Money { return portfolio.Dollars(dollars) }

func (d *loader) shortfalls() error {
	opened := d.today.AddDays(-45)
	list := []struct {
		key string
		s   portfolio.Shortfall
	}{
		{"pipeline", portfolio.Shortfall{EntityID: d.entity["JADA"], Title: "Empty sales pipeline",
			Detail:    "No qualified charter leads are being worked; bookings arrive only by word of mouth.",
			OwnerRole: portfolio.RoleCEO, Severity: portfolio.SeverityCritical, MonthlyImpact: money(6000), EffortDays: 5}},
		{"tracking", portfolio.Shortfall{Title: "Zero revenue tracking",
			Detail:    "No entity records its monthly revenue, so no one can tell whether a month made or lost money.",
			OwnerRole: portfolio.RoleAccounting, Severity: portfolio.SeverityCritical, MonthlyImpact: money(2000), EffortDays: 3}},
		{"equity", portfolio.Shortfall{EntityID: d.entity["JADA"], Title: "Crew equity exposure",
			Detail:    "Crew have been promised a share of the charter business verbally, with no agreement, vesting or cap.",
			OwnerRole: portfolio.RoleCFO, Severity: portfolio.SeverityCritical, MonthlyImpact: money(2500), EffortDays: 4}},
		{"ota", portfolio.Shortfall{EntityID: d.entity["JADA"], Title: "Zero OTA listings",
			Detail:    "JADA is not listed on any online charter marketplace, where most first-time charter guests search.",
			OwnerRole: portfolio.RoleCMO, Severity: portfolio.SeverityCritical, MonthlyImpact: money(4500), EffortDays: 3}},
		{"billing", portfolio.Shortfall{Title: "Undefined billing models",
			Detail:    "QuickDumpNow quotes every haul ad hoc and DangerousCentaur has no rate card, so prices drift and deposits are not taken.",
			OwnerRole: portfolio.RoleCFO, Severity: portfolio.SeverityCritical, MonthlyImpact: money(1800), EffortDays: 2}},
		{"list", portfolio.Shortfall{EntityID: d.entity["QOS"], Title: "Subscriber list never emailed",
			Detail:    "The 3,676-subscriber list has had no campaign; a single announcement is the cheapest booking source available.",
			OwnerRole: portfolio.RoleCMO, Severity: portfolio.SeverityCritical, MonthlyImpact: money(3000), EffortDays: 2}},
		{"secrets", portfolio.Shortfall{EntityID: d.entity["CLOUD"], Title: "Payment keys and configs exposed",
			Detail:    "Stripe secret keys are committed to repositories and environment files are kept in plain text.",
			OwnerRole: portfolio.RoleCTO, Severity: portfolio.SeverityCritical, MonthlyImpact: money(2500), EffortDays: 1.5}},
		{"books", portfolio.Shortfall{Title: "No books or chart of accounts",
			Detail:    "Transactions are not categorised or reconciled; taxes and lender questions cannot be answered.",
			OwnerRole: portfolio.RoleAccounting, Severity: portfolio.SeverityCritical, MonthlyImpact: money(1000), EffortDays: 4}},
		{"seo", portfolio.Shortfall{EntityID: d.entity["QDN"], Title: "No local search presence",
			Detail:    "QuickDumpNow does not appear in map results for junk removal in its own service area.",
			OwnerRole: portfolio.RoleCMO, Severity: portfolio.SeverityHigh, MonthlyImpact: money(1400), EffortDays: 6}},
		{"staging", portfolio.Shortfall{EntityID: d.entity["CLOUD"], Title: "Deploys go straight to production",
			Detail:    "There is no staging environment, pipeline or rollback; a bad deploy is found by customers.",
			OwnerRole: portfolio.RoleCTO, Severity: portfolio.SeverityMedium, MonthlyImpact: money(400), EffortDays: 5}},
		{"sender", portfolio.Shortfall{EntityID: d.entity["CLOUD"], Title: "Reports had no verified sender",
			Detail:    "Executive reports could not be mailed until the sending domain was verified in SES.",
			OwnerRole: portfolio.RoleCTO, Severity: portfolio.SeverityHigh, MonthlyImpact: money(200), EffortDays: 0.5,
			Status: portfolio.ShortfallResolved, ResolvedOn: d.today.AddDays(-20)}},
	}
	for _, e := range list {
		s := e.s
		s.OpenedOn = opened
		if err := d.tx.CreateShortfall(d.ctx, &s); err != nil {
			return err
		}
		d.shortfal[e.key] = s.ID
	}
	return nil
}

func (d *loader) actions() error {
	plan := []struct {
		shortfall, title string
		role             portfolio.ReportRole
		person           string
		days             int
	}{
		{"list", "Send the concert and charter announcement to all 3,676 subscribers", portfolio.RoleCMO, "marketing", 2},
		{"secrets", "Rotate the Stripe keys and move every secret out of the repositories", portfolio.RoleCTO, "tech", 3},
		{"ota", "Publish the JADA listing on Sailo", portfolio.RoleCMO, "marketing", 5},
		{"pipeline", "Build a 20-lead pipeline from past guests, planners and hotel concierges", portfolio.RoleCEO, "owner", 7},
		{"tracking", "Record every charter, haul and booking in the revenue ledger", portfolio.RoleAccounting, "books", 7},
		{"billing", "Publish a per-load price sheet for QuickDumpNow and a rate card for DangerousCentaur", portfolio.RoleCFO, "owner", 10},
		{"equity", "Put crew equity promises in a signed agreement, or withdraw them", portfolio.RoleCFO, "owner", 14},
		{"books", "Set up the books on the chart of accounts and reconcile last quarter", portfolio.RoleAccounting, "books", 21},
		{"seo", "Claim and complete the QuickDumpNow Google Business Profile", portfolio.RoleCMO, "marketing", 24},
		{"ota", "Publish the JADA listing on GetMyBoat", portfolio.RoleCMO, "marketing", 28},
	}
	for _, p := range plan {
		a := portfolio.Action{ShortfallID: d.shortfal[p.shortfall], Title: p.title, OwnerRole: p.role, PersonID: d.person[p.person],
			DueOn: d.today.AddDays(p.days)}
		if err := d.tx.CreateAction(d.ctx, &a); err != nil {
			return err
		}
	}
	return nil
}

// schedules sets the reporting rhythm the owner asked for, paused: a demo
// should not start mailing anyone until the owner says so.
func (d *loader) schedules() error {
	rhythm := map[portfolio.ReportRole]string{
		portfolio.RoleCEO:        "0 7 * * 1",  // Mondays 07:00
		portfolio.RoleCTO:        "30 7 * * 1", // Mondays 07:30
		portfolio.RoleCMO:        "30 7 * * 1",
		portfolio.RoleCFO:        "0 7 1 * *", // the first of the month
		portfolio.RoleAccounting: "0 7 1 * *",
	}
	for _, role := range portfolio.ReportRoles {
		if err := d.tx.SetSchedule(d.ctx, &portfolio.Schedule{Role: role, Cron: rhythm[role], TimeZone: TimeZone,
			WeekdaysOnly: role == portfolio.RoleCEO}); err != nil {
			return err
		}
	}
	return nil
}
