package store

import (
	"context"
	"fmt"
	"time"
)

// DemoTimeZone is where the demo portfolio operates (San Diego).
const DemoTimeZone = "America/Los_Angeles"

// demo is the state of one demo load: the ids of what it has created so
// far, so later rows can refer to earlier ones by a short name.
type demo struct {
	tx       *Tx
	ctx      context.Context
	entity   map[string]int64
	person   map[string]int64
	shortfal map[string]int64
	today    Date // in the demo's time zone
	loc      *time.Location
}

// LoadDemo fills an empty database with the demo portfolio: a yacht-charter
// company, an events brand, a waste-hauling business and an entertainment
// act, with their real shortfalls, costs and plans. Dates that must stay in
// the future (events, the 30-day plan) are set relative to the clock.
func (tx *Tx) LoadDemo(ctx context.Context) error {
	loc, err := time.LoadLocation(DemoTimeZone)
	if err != nil {
		return fmt.Errorf("demo time zone: %w", err)
	}
	d := &demo{tx: tx, ctx: ctx, entity: map[string]int64{}, person: map[string]int64{},
		shortfal: map[string]int64{}, today: DateOf(tx.now.In(loc)), loc: loc}
	tx.quiet = true
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
	for _, st := range steps {
		if err := st.run(); err != nil {
			tx.quiet = false
			return fmt.Errorf("load demo %s: %w", st.name, err)
		}
	}
	tx.quiet = false
	return tx.audit(ctx, "load_demo", "portfolio", 0, map[string]any{"entities": len(d.entity), "people": len(d.person)})
}

func (d *demo) portfolio() error {
	if err := d.tx.SetMeta(d.ctx, "portfolio_name", "Queen of San Diego Portfolio"); err != nil {
		return err
	}
	entities := []Entity{
		{Code: "JADA", Name: "JADA Yacht Charters", Kind: KindOperating,
			Description: "Private luxury sailing charters on San Diego Bay and the coast: sunset cruises, celebrations, corporate outings."},
		{Code: "QOS", Name: "Queen of San Diego", Kind: KindOperating,
			Description: "The umbrella brand: waterfront events, concerts and the portfolio's audience of email subscribers."},
		{Code: "QDN", Name: "QuickDumpNow", Kind: KindOperating,
			Description: "Same-day junk removal and dumpster hauling across San Diego County."},
		{Code: "DC", Name: "DangerousCentaur", Kind: KindOperating,
			Description: "A live entertainment act booked for concerts, private events and festivals."},
		{Code: "SCC", Name: "ShipCaptainCrew", Kind: KindAncillary,
			Description: "The crew checklist and event platform every charter runs on."},
		{Code: "CLOUD", Name: "Shared AWS account", Kind: KindAncillary,
			Description: "S3, CloudFront, Lambda, SES and Route 53 hosting every site, form and mailer in the portfolio."},
		{Code: "TOOLS", Name: "Operations tooling", Kind: KindAncillary,
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

func (d *demo) people() error {
	people := []struct {
		key string
		p   Person
	}{
		{"owner", Person{Name: "Casey Brooks", Email: "owner@example.com", Phone: "+1 619 555 0100", Title: "Owner", Role: AccessAdmin}},
		{"captain", Person{Name: "Morgan Reyes", Email: "morgan.reyes@example.com", Phone: "+1 619 555 0111", Title: "Captain, JADA", Role: AccessCaptain}},
		{"deck1", Person{Name: "Sam Okafor", Email: "sam.okafor@example.com", Phone: "+1 619 555 0122", Title: "Deckhand", Role: AccessCrew}},
		{"deck2", Person{Name: "Jess Tran", Email: "jess.tran@example.com", Phone: "+1 619 555 0133", Title: "Deckhand and steward", Role: AccessCrew}},
		{"books", Person{Name: "Riley Park", Email: "books@example.com", Title: "Bookkeeper (contract)", Role: AccessGuest}},
		{"marketing", Person{Name: "Dana Whitfield", Email: "dana.whitfield@example.com", Title: "Marketing lead", Role: AccessGuest}},
		{"tech", Person{Name: "Chris Novak", Email: "chris.novak@example.com", Title: "Cloud and web contractor", Role: AccessGuest}},
	}
	for _, e := range people {
		p := e.p
		if err := d.tx.CreatePerson(d.ctx, &p); err != nil {
			return err
		}
		d.person[e.key] = p.ID
	}
	recipients := map[ReportRole][]string{
		RoleCEO:        {"owner"},
		RoleCTO:        {"owner", "tech"},
		RoleCMO:        {"owner", "marketing"},
		RoleCFO:        {"owner"},
		RoleAccounting: {"owner", "books"},
	}
	for _, role := range ReportRoles {
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
	dir                     Direction
	target                  float64
	owner                   ReportRole
	readings                []float64
}

func (d *demo) kpis() error {
	kpis := []demoKPI{
		{"JADA", "charters", "Charters per month", "count", HigherIsBetter, 6, RoleCEO, []float64{1, 3, 2, 2}},
		{"JADA", "pipeline", "Qualified leads in pipeline", "count", HigherIsBetter, 20, RoleCMO, []float64{4, 1, 0}},
		{"JADA", "ota_listings", "Live OTA listings", "count", HigherIsBetter, 2, RoleCMO, []float64{0}},
		{"JADA", "avg_price", "Average charter price", "usd", HigherIsBetter, 2400, RoleCFO, []float64{2200, 2400}},
		{"JADA", "revenue", "Charter revenue this month", "usd", HigherIsBetter, 14400, RoleCFO, nil},
		{"JADA", "review_score", "Average guest review score", "rating", HigherIsBetter, 4.8, RoleCMO, nil},
		{"QOS", "subscribers", "Email subscribers", "count", HigherIsBetter, 4000, RoleCMO, []float64{3512, 3604, 3676}},
		{"QOS", "open_rate", "Email open rate", "percent", HigherIsBetter, 35, RoleCMO, nil},
		{"QOS", "tickets", "Event tickets sold this month", "count", HigherIsBetter, 150, RoleCEO, nil},
		{"QOS", "conversion", "Website enquiry conversion", "percent", HigherIsBetter, 2, RoleCMO, nil},
		{"QDN", "hauls", "Hauls per month", "count", HigherIsBetter, 20, RoleCEO, []float64{6, 11, 9}},
		{"QDN", "reviews", "Google reviews", "count", HigherIsBetter, 25, RoleCMO, []float64{19, 21, 23}},
		{"QDN", "quote_hours", "Quote response time", "hours", LowerIsBetter, 2, RoleCEO, []float64{3, 1.5}},
		{"QDN", "lead_cost", "Cost per lead", "usd", LowerIsBetter, 40, RoleCMO, nil},
		{"QDN", "revenue", "Haul revenue this month", "usd", HigherIsBetter, 6500, RoleCFO, nil},
		{"DC", "bookings", "Bookings per month", "count", HigherIsBetter, 2, RoleCEO, []float64{0, 1, 1}},
		{"DC", "followers", "Social followers", "count", HigherIsBetter, 10000, RoleCMO, []float64{5900, 6200}},
		{"DC", "booking_value", "Average booking value", "usd", HigherIsBetter, 2500, RoleCFO, nil},
		{"DC", "revenue", "Performance revenue this month", "usd", HigherIsBetter, 5000, RoleCFO, nil},
		{"SCC", "completion", "Checklist completion rate", "percent", HigherIsBetter, 95, RoleCTO, []float64{81, 88}},
		{"CLOUD", "aws_spend", "Monthly AWS spend", "usd", LowerIsBetter, 100, RoleCTO, []float64{121, 128}},
		{"CLOUD", "secrets", "Secrets exposed in repositories", "count", LowerIsBetter, 0, RoleCTO, []float64{3}},
	}
	for _, dk := range kpis {
		k := KPI{EntityID: d.entity[dk.entity], Key: dk.key, Name: dk.name, Unit: dk.unit, Direction: dk.dir,
			Target: dk.target, Tolerance: 0.1, OwnerRole: dk.owner}
		if err := d.tx.CreateKPI(d.ctx, &k); err != nil {
			return err
		}
		// Readings a month apart, the newest a few days ago.
		for i, v := range dk.readings {
			age := len(dk.readings) - 1 - i
			at := d.tx.now.AddDate(0, -age, -3)
			if err := d.tx.addReading(d.ctx, k.ID, v, at, ""); err != nil {
				return err
			}
		}
	}
	return nil
}

// money is shorthand for whole dollars in the demo tables.
func money(dollars int64) Money { return Dollars(dollars) }

func (d *demo) shortfalls() error {
	opened := d.today.AddDays(-45)
	list := []struct {
		key string
		s   Shortfall
	}{
		{"pipeline", Shortfall{EntityID: d.entity["JADA"], Title: "Empty sales pipeline",
			Detail:    "No qualified charter leads are being worked; bookings arrive only by word of mouth.",
			OwnerRole: RoleCEO, Severity: SeverityCritical, MonthlyImpact: money(6000), EffortDays: 5}},
		{"tracking", Shortfall{Title: "Zero revenue tracking",
			Detail:    "No entity records its monthly revenue, so no one can tell whether a month made or lost money.",
			OwnerRole: RoleAccounting, Severity: SeverityCritical, MonthlyImpact: money(2000), EffortDays: 3}},
		{"equity", Shortfall{EntityID: d.entity["JADA"], Title: "Crew equity exposure",
			Detail:    "Crew have been promised a share of the charter business verbally, with no agreement, vesting or cap.",
			OwnerRole: RoleCFO, Severity: SeverityCritical, MonthlyImpact: money(2500), EffortDays: 4}},
		{"ota", Shortfall{EntityID: d.entity["JADA"], Title: "Zero OTA listings",
			Detail:    "JADA is not listed on any online charter marketplace, where most first-time charter guests search.",
			OwnerRole: RoleCMO, Severity: SeverityCritical, MonthlyImpact: money(4500), EffortDays: 3}},
		{"billing", Shortfall{Title: "Undefined billing models",
			Detail:    "QuickDumpNow quotes every haul ad hoc and DangerousCentaur has no rate card, so prices drift and deposits are not taken.",
			OwnerRole: RoleCFO, Severity: SeverityCritical, MonthlyImpact: money(1800), EffortDays: 2}},
		{"list", Shortfall{EntityID: d.entity["QOS"], Title: "Subscriber list never emailed",
			Detail:    "The 3,676-subscriber list has had no campaign; a single announcement is the cheapest booking source available.",
			OwnerRole: RoleCMO, Severity: SeverityCritical, MonthlyImpact: money(3000), EffortDays: 2}},
		{"secrets", Shortfall{EntityID: d.entity["CLOUD"], Title: "Payment keys and configs exposed",
			Detail:    "Stripe secret keys are committed to repositories and environment files are kept in plain text.",
			OwnerRole: RoleCTO, Severity: SeverityCritical, MonthlyImpact: money(2500), EffortDays: 1.5}},
		{"books", Shortfall{Title: "No books or chart of accounts",
			Detail:    "Transactions are not categorised or reconciled; taxes and lender questions cannot be answered.",
			OwnerRole: RoleAccounting, Severity: SeverityCritical, MonthlyImpact: money(1000), EffortDays: 4}},
		{"seo", Shortfall{EntityID: d.entity["QDN"], Title: "No local search presence",
			Detail:    "QuickDumpNow does not appear in map results for junk removal in its own service area.",
			OwnerRole: RoleCMO, Severity: SeverityHigh, MonthlyImpact: money(1400), EffortDays: 6}},
		{"staging", Shortfall{EntityID: d.entity["CLOUD"], Title: "Deploys go straight to production",
			Detail:    "There is no staging environment, pipeline or rollback; a bad deploy is found by customers.",
			OwnerRole: RoleCTO, Severity: SeverityMedium, MonthlyImpact: money(400), EffortDays: 5}},
		{"sender", Shortfall{EntityID: d.entity["CLOUD"], Title: "Reports had no verified sender",
			Detail:    "Executive reports could not be mailed until the sending domain was verified in SES.",
			OwnerRole: RoleCTO, Severity: SeverityHigh, MonthlyImpact: money(200), EffortDays: 0.5,
			Status: ShortfallResolved, ResolvedOn: d.today.AddDays(-20)}},
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

func (d *demo) actions() error {
	plan := []struct {
		shortfall, title string
		role             ReportRole
		person           string
		days             int
	}{
		{"list", "Send the concert and charter announcement to all 3,676 subscribers", RoleCMO, "marketing", 2},
		{"secrets", "Rotate the Stripe keys and move every secret out of the repositories", RoleCTO, "tech", 3},
		{"ota", "Publish the JADA listing on Sailo", RoleCMO, "marketing", 5},
		{"pipeline", "Build a 20-lead pipeline from past guests, planners and hotel concierges", RoleCEO, "owner", 7},
		{"tracking", "Record every charter, haul and booking in the revenue ledger", RoleAccounting, "books", 7},
		{"billing", "Publish a per-load price sheet for QuickDumpNow and a rate card for DangerousCentaur", RoleCFO, "owner", 10},
		{"equity", "Put crew equity promises in a signed agreement, or withdraw them", RoleCFO, "owner", 14},
		{"books", "Set up the books on the chart of accounts and reconcile last quarter", RoleAccounting, "books", 21},
		{"seo", "Claim and complete the QuickDumpNow Google Business Profile", RoleCMO, "marketing", 24},
		{"ota", "Publish the JADA listing on GetMyBoat", RoleCMO, "marketing", 28},
	}
	for _, p := range plan {
		a := Action{ShortfallID: d.shortfal[p.shortfall], Title: p.title, OwnerRole: p.role, PersonID: d.person[p.person],
			DueOn: d.today.AddDays(p.days)}
		if err := d.tx.CreateAction(d.ctx, &a); err != nil {
			return err
		}
	}
	return nil
}

// schedules sets the reporting rhythm the owner asked for, paused: a demo
// should not start mailing anyone until the owner says so.
func (d *demo) schedules() error {
	rhythm := map[ReportRole]string{
		RoleCEO:        "0 7 * * 1",  // Mondays 07:00
		RoleCTO:        "30 7 * * 1", // Mondays 07:30
		RoleCMO:        "30 7 * * 1",
		RoleCFO:        "0 7 1 * *", // the first of the month
		RoleAccounting: "0 7 1 * *",
	}
	for _, role := range ReportRoles {
		if err := d.tx.SetSchedule(d.ctx, &Schedule{Role: role, Cron: rhythm[role], TimeZone: DemoTimeZone,
			WeekdaysOnly: role == RoleCEO}); err != nil {
			return err
		}
	}
	return nil
}
