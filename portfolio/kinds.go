package portfolio

import (
	"maps"
	"slices"
	"strings"
	"time"
)

// The kinds of record an owner keeps, each declared once. The order is the
// order of the portfolio file and of `opsdeck kinds`: a kind comes after
// the kinds it refers to.

var (
	entityKind = declare(Kind{Name: "entity", Plural: "entities", Title: "Entity", Group: GroupPortfolio,
		Doc:       "a business in the portfolio, or an asset that supports them",
		KeyFields: []string{"code"},
		Fields: []Field{
			text("code", "Code", func(e *Entity) *string { return &e.Code }, required, help("short name: JADA")),
			text("name", "Name", func(e *Entity) *string { return &e.Name }, required),
			choice("kind", "Kind", []EntityKind{KindOperating, KindAncillary}, func(e *Entity) *EntityKind { return &e.Kind }, required),
			longText("description", "Description", func(e *Entity) *string { return &e.Description }),
			integer("position", "Position", func(e *Entity) *int { return &e.Position }, filled, help("order among entities; 0 goes last")),
		}}, func() *Entity { return &Entity{Kind: KindOperating} }, func(e *Entity) *int64 { return &e.ID })

	personKind = declare(Kind{Name: "person", Plural: "people", Title: "Person", Group: GroupPortfolio,
		Doc:       "someone opsdeck mails or puts on a crew, with their access role and the reports they receive",
		KeyFields: []string{"email"},
		Fields: []Field{
			text("email", "Email", func(p *Person) *string { return &p.Email }, required),
			text("name", "Name", func(p *Person) *string { return &p.Name }, required),
			text("phone", "Phone", func(p *Person) *string { return &p.Phone }),
			text("title", "Title", func(p *Person) *string { return &p.Title }, help("job title: Captain, CFO")),
			choice("role", "Access role", []AccessRole{AccessAdmin, AccessCaptain, AccessCrew, AccessGuest},
				func(p *Person) *AccessRole { return &p.Role }, required, help("what their magic links may do")),
			choices("reports", "Receives reports", ReportRoles, func(p *Person) *[]ReportRole { return &p.Reports }),
		}}, func() *Person { return &Person{Role: AccessGuest} }, func(p *Person) *int64 { return &p.ID })

	accountKind = declare(Kind{Name: "account", Plural: "accounts", Title: "Account", Group: GroupAccounting,
		Doc:       "an account of the chart of accounts",
		KeyFields: []string{"code"},
		Fields: []Field{
			text("code", "Code", func(a *Account) *string { return &a.Code }, required, help("the account number: 6100")),
			text("name", "Name", func(a *Account) *string { return &a.Name }, required),
			choice("type", "Type", []string{"asset", "liability", "equity", "income", "expense"},
				func(a *Account) *string { return &a.Type }, required),
			ref("parent", "Parent account", "account", func(a *Account) *string { return &a.ParentCode }, nil),
			longText("description", "Description", func(a *Account) *string { return &a.Description }),
		}}, func() *Account { return &Account{Type: "expense"} }, nil)

	kpiKind = declare(Kind{Name: "kpi", Plural: "kpis", Title: "KPI", Group: GroupPortfolio,
		Doc:       "a measure of how an entity is doing, with its target",
		KeyFields: []string{"entity", "key"},
		Fields: []Field{
			ref("entity", "Entity", "entity", func(k *KPI) *string { return &k.EntityCode }, func(k *KPI) *int64 { return &k.EntityID }, required, cascade),
			text("key", "Key", func(k *KPI) *string { return &k.Key }, required, help("short name: charters")),
			text("name", "Name", func(k *KPI) *string { return &k.Name }, required),
			choice("unit", "Unit", slices.Sorted(maps.Keys(Units)), func(k *KPI) *string { return &k.Unit }, required),
			choice("direction", "Better when", []Direction{HigherIsBetter, LowerIsBetter}, func(k *KPI) *Direction { return &k.Direction }, required),
			number("target", "Target", func(k *KPI) *float64 { return &k.Target }),
			number("tolerance", "Tolerance", func(k *KPI) *float64 { return &k.Tolerance }, help("how far short of the target is only at risk: 0.1 is 10%")),
			choice("owner", "Owner", ReportRoles, func(k *KPI) *ReportRole { return &k.OwnerRole }, required),
		}}, func() *KPI {
		return &KPI{Unit: "count", Direction: HigherIsBetter, Tolerance: 0.1, OwnerRole: RoleCEO}
	}, func(k *KPI) *int64 { return &k.ID })

	readingKind = declare(Kind{Name: "reading", Plural: "readings", Title: "KPI reading", Group: GroupPortfolio,
		Doc:       "a KPI's value at a moment",
		KeyFields: []string{"kpi", "taken_at"},
		Fields: []Field{
			ref("kpi", "KPI", "kpi", func(r *Reading) *string { return &r.KPIKey }, func(r *Reading) *int64 { return &r.KPIID }, required, cascade),
			instant("taken_at", "Taken at", func(r *Reading) *time.Time { return &r.TakenAt }, required),
			number("value", "Value", func(r *Reading) *float64 { return &r.Value }),
			text("note", "Note", func(r *Reading) *string { return &r.Note }),
		}}, func() *Reading { return &Reading{} }, func(r *Reading) *int64 { return &r.ID })

	shortfallKind = declare(Kind{title: func(r Record) string { return r.(*Shortfall).Title },
		Name: "shortfall", Plural: "shortfalls", Title: "Shortfall", Group: GroupActions,
		Doc:       "something missing or broken, with what it costs a month and the days to fix it",
		KeyFields: []string{"key"},
		Fields: []Field{
			text("key", "Key", func(s *Shortfall) *string { return &s.Key }, help("made from the title when left empty")),
			ref("entity", "Entity", "entity", func(s *Shortfall) *string { return &s.EntityCode }, func(s *Shortfall) *int64 { return &s.EntityID },
				help("empty: the whole portfolio")),
			text("title", "Title", func(s *Shortfall) *string { return &s.Title }, required),
			longText("detail", "Detail", func(s *Shortfall) *string { return &s.Detail }),
			choice("owner", "Owner", ReportRoles, func(s *Shortfall) *ReportRole { return &s.OwnerRole }, required),
			choice("severity", "Severity", Severities, func(s *Shortfall) *Severity { return &s.Severity }, required),
			money("monthly_impact", "Monthly impact", func(s *Shortfall) *Money { return &s.MonthlyImpact }),
			number("effort_days", "Effort (days)", func(s *Shortfall) *float64 { return &s.EffortDays }, required),
			choice("status", "Status", []ShortfallStatus{ShortfallOpen, ShortfallInProgress, ShortfallResolved},
				func(s *Shortfall) *ShortfallStatus { return &s.Status }, required),
			date("opened_on", "Opened on", func(s *Shortfall) *Date { return &s.OpenedOn }, required, filled, help("empty: today")),
			date("resolved_on", "Resolved on", func(s *Shortfall) *Date { return &s.ResolvedOn }),
		}}, func() *Shortfall {
		return &Shortfall{OwnerRole: RoleCEO, Severity: SeverityMedium, EffortDays: 1, Status: ShortfallOpen}
	}, func(s *Shortfall) *int64 { return &s.ID })

	actionKind = declare(Kind{title: func(r Record) string { return r.(*Action).Title },
		Name: "action", Plural: "actions", Title: "Action", Group: GroupActions,
		Doc:       "a step of the 30-day plan, usually against a shortfall",
		KeyFields: []string{"key"},
		Fields: []Field{
			text("key", "Key", func(a *Action) *string { return &a.Key }, help("made from the title when left empty")),
			ref("shortfall", "Shortfall", "shortfall", func(a *Action) *string { return &a.ShortfallKey }, func(a *Action) *int64 { return &a.ShortfallID }),
			text("title", "Title", func(a *Action) *string { return &a.Title }, required),
			choice("owner", "Owner", ReportRoles, func(a *Action) *ReportRole { return &a.OwnerRole }, required),
			ref("person", "Person", "person", func(a *Action) *string { return &a.PersonEmail }, func(a *Action) *int64 { return &a.PersonID }, clears),
			date("due_on", "Due on", func(a *Action) *Date { return &a.DueOn }, required),
			choice("status", "Status", []ActionStatus{ActionOpen, ActionDone}, func(a *Action) *ActionStatus { return &a.Status }, required),
			date("done_on", "Done on", func(a *Action) *Date { return &a.DoneOn }),
		}}, func() *Action { return &Action{OwnerRole: RoleCEO, Status: ActionOpen} }, func(a *Action) *int64 { return &a.ID })

	costLineKind = declare(Kind{title: func(r Record) string { c := r.(*CostLine); return c.Vendor + " " + c.Category },
		Name: "cost-line", Plural: "cost_lines", Title: "Cost line", Group: GroupFinance,
		Doc:       "a monthly cost, as a low-high range",
		KeyFields: []string{"key"},
		Fields: []Field{
			text("key", "Key", func(c *CostLine) *string { return &c.Key }, help("made from the vendor and category when left empty")),
			ref("entity", "Entity", "entity", func(c *CostLine) *string { return &c.EntityCode }, func(c *CostLine) *int64 { return &c.EntityID },
				help("empty: shared by the portfolio")),
			text("category", "Category", func(c *CostLine) *string { return &c.Category }, required, help("hosting, insurance, fuel...")),
			text("vendor", "Vendor", func(c *CostLine) *string { return &c.Vendor }, required),
			text("description", "Description", func(c *CostLine) *string { return &c.Description }),
			money("low", "Low a month", func(c *CostLine) *Money { return &c.Low }),
			money("high", "High a month", func(c *CostLine) *Money { return &c.High }),
			ref("account", "Account", "account", func(c *CostLine) *string { return &c.AccountCode }, nil),
			text("audit_note", "Audit note", func(c *CostLine) *string { return &c.AuditNote }),
		}}, func() *CostLine { return &CostLine{} }, func(c *CostLine) *int64 { return &c.ID })

	unitEconomicsKind = declare(Kind{Name: "unit-economics", Plural: "unit_economics", Title: "Unit economics", Group: GroupFinance,
		Doc:       "what one unit an entity sells brings in and costs, for break-even",
		KeyFields: []string{"entity"},
		Fields: []Field{
			ref("entity", "Entity", "entity", func(u *UnitEconomics) *string { return &u.EntityCode }, func(u *UnitEconomics) *int64 { return &u.EntityID }, required, cascade),
			text("unit", "Unit", func(u *UnitEconomics) *string { return &u.Unit }, required, help("what is sold: charter, haul")),
			money("price", "Price", func(u *UnitEconomics) *Money { return &u.Price }),
			money("variable_cost", "Variable cost", func(u *UnitEconomics) *Money { return &u.VariableCost }),
			choice("basis", "Fixed costs to cover", []FixedCostBasis{BasisPortfolio, BasisEntity},
				func(u *UnitEconomics) *FixedCostBasis { return &u.Basis }, required),
		}}, func() *UnitEconomics { return &UnitEconomics{Basis: BasisEntity} }, nil)

	revenueMonthKind = declare(Kind{Name: "revenue-month", Plural: "revenue_months", Title: "Revenue month", Group: GroupFinance,
		Doc:       "an entity's revenue target for a month, and what it made",
		KeyFields: []string{"entity", "month"},
		Fields: []Field{
			ref("entity", "Entity", "entity", func(r *RevenueMonth) *string { return &r.EntityCode }, func(r *RevenueMonth) *int64 { return &r.EntityID }, required, cascade),
			text("month", "Month", func(r *RevenueMonth) *string { return &r.Month }, required, help("YYYY-MM")),
			money("target", "Target", func(r *RevenueMonth) *Money { return &r.Target }),
			optMoney("actual", "Actual", func(r *RevenueMonth) **Money { return &r.Actual }, help("empty: not recorded yet")),
		}}, func() *RevenueMonth { return &RevenueMonth{} }, nil)

	capitalTierKind = declare(Kind{title: func(r Record) string { return r.(*CapitalTier).Name },
		Name: "capital-tier", Plural: "capital_tiers", Title: "Capital tier", Group: GroupFinance,
		Doc:       "a tier of the capital-deployment plan",
		KeyFields: []string{"key"},
		Fields: []Field{
			text("key", "Key", func(c *CapitalTier) *string { return &c.Key }, help("made from the name when left empty")),
			integer("position", "Position", func(c *CapitalTier) *int { return &c.Position }, filled, help("0 goes last")),
			text("name", "Name", func(c *CapitalTier) *string { return &c.Name }, required),
			choice("policy", "Policy", []CapitalPolicy{PolicyDeploy, PolicyDoNotDeploy}, func(c *CapitalTier) *CapitalPolicy { return &c.Policy }, required),
			optMoney("max", "Spend at most", func(c *CapitalTier) **Money { return &c.Max }),
			longText("description", "Description", func(c *CapitalTier) *string { return &c.Description }),
			longText("examples", "Examples", func(c *CapitalTier) *string { return &c.Examples }),
		}}, func() *CapitalTier { return &CapitalTier{Policy: PolicyDeploy} }, func(c *CapitalTier) *int64 { return &c.ID })

	financialRuleKind = declare(Kind{title: func(r Record) string { return r.(*FinancialRule).Rule },
		Name: "financial-rule", Plural: "financial_rules", Title: "Financial rule", Group: GroupFinance,
		Doc:       "a rule the owner holds the money to",
		KeyFields: []string{"key"},
		Fields: []Field{
			text("key", "Key", func(r *FinancialRule) *string { return &r.Key }, help("made from the rule when left empty")),
			integer("position", "Position", func(r *FinancialRule) *int { return &r.Position }, filled, help("0 goes last")),
			text("rule", "Rule", func(r *FinancialRule) *string { return &r.Rule }, required),
			longText("rationale", "Why", func(r *FinancialRule) *string { return &r.Rationale }),
		}}, func() *FinancialRule { return &FinancialRule{} }, func(r *FinancialRule) *int64 { return &r.ID })

	channelKind = declare(Kind{Name: "channel", Plural: "channels", Title: "Marketing channel", Group: GroupMarketing,
		Doc:       "a way an entity reaches customers, with its audience",
		KeyFields: []string{"entity", "name"},
		Fields: []Field{
			ref("entity", "Entity", "entity", func(c *Channel) *string { return &c.EntityCode }, func(c *Channel) *int64 { return &c.EntityID }, required, cascade),
			text("name", "Name", func(c *Channel) *string { return &c.Name }, required),
			choice("kind", "Kind", ChannelKinds, func(c *Channel) *ChannelKind { return &c.Kind }, required),
			choice("status", "Status", []ChannelStatus{ChannelNone, ChannelPlanned, ChannelInProgress, ChannelLive, ChannelPaused},
				func(c *Channel) *ChannelStatus { return &c.Status }, required),
			optInt64("audience", "Audience", func(c *Channel) **int64 { return &c.AudienceSize }, help("subscribers or followers; empty: unknown")),
			optInt("sequence", "Launch order", func(c *Channel) **int { return &c.Sequence }),
			money("value_low", "Value, low", func(c *Channel) *Money { return &c.ValueLow }),
			money("value_high", "Value, high", func(c *Channel) *Money { return &c.ValueHigh }),
			longText("notes", "Notes", func(c *Channel) *string { return &c.Notes }),
		}}, func() *Channel { return &Channel{Kind: ChannelWeb, Status: ChannelPlanned} }, func(c *Channel) *int64 { return &c.ID })

	channelTaskKind = declare(Kind{title: func(r Record) string { return r.(*ChannelTask).Title },
		Name: "channel-task", Plural: "channel_tasks", Title: "Channel task", Group: GroupMarketing,
		Doc:       "a step on a channel's roadmap",
		KeyFields: []string{"channel", "key"},
		Fields: []Field{
			ref("channel", "Channel", "channel", func(t *ChannelTask) *string { return &t.ChannelKey }, func(t *ChannelTask) *int64 { return &t.ChannelID }, required, cascade),
			text("key", "Key", func(t *ChannelTask) *string { return &t.Key }, help("made from the title when left empty")),
			integer("position", "Position", func(t *ChannelTask) *int { return &t.Position }, filled, help("0 goes last")),
			text("title", "Title", func(t *ChannelTask) *string { return &t.Title }, required),
			date("due_on", "Due on", func(t *ChannelTask) *Date { return &t.DueOn }),
			date("done_on", "Done on", func(t *ChannelTask) *Date { return &t.DoneOn }),
		}}, func() *ChannelTask { return &ChannelTask{} }, func(t *ChannelTask) *int64 { return &t.ID })

	findingKind = declare(Kind{title: func(r Record) string { return r.(*Finding).Title },
		Name: "finding", Plural: "findings", Title: "Technical finding", Group: GroupTechnology,
		Doc:       "a security, performance, cost or reliability problem in a stack, with its fix",
		KeyFields: []string{"key"},
		Fields: []Field{
			text("key", "Key", func(f *Finding) *string { return &f.Key }, help("made from the title when left empty")),
			ref("entity", "Entity", "entity", func(f *Finding) *string { return &f.EntityCode }, func(f *Finding) *int64 { return &f.EntityID }),
			text("stack", "Stack", func(f *Finding) *string { return &f.Stack }, required),
			choice("category", "Category", []string{"security", "performance", "cost", "reliability"}, func(f *Finding) *string { return &f.Category }, required),
			choice("severity", "Severity", Severities, func(f *Finding) *Severity { return &f.Severity }, required),
			text("title", "Title", func(f *Finding) *string { return &f.Title }, required),
			longText("detail", "Detail", func(f *Finding) *string { return &f.Detail }),
			longText("remediation", "Remediation", func(f *Finding) *string { return &f.Remediation }, required),
			money("monthly_saving", "Saves a month", func(f *Finding) *Money { return &f.MonthlySaving }),
			number("effort_days", "Effort (days)", func(f *Finding) *float64 { return &f.EffortDays }, required),
			choice("status", "Status", []string{"open", "fixed"}, func(f *Finding) *string { return &f.Status }, required),
		}}, func() *Finding {
		return &Finding{Category: "security", Severity: SeverityMedium, EffortDays: 1, Status: "open"}
	}, func(f *Finding) *int64 { return &f.ID })

	devGapKind = declare(Kind{title: func(r Record) string { return r.(*DevGap).Title },
		Name: "dev-gap", Plural: "dev_gaps", Title: "Development-cycle gap", Group: GroupTechnology,
		Doc:       "something the development cycle lacks: CI, staging, rollback",
		KeyFields: []string{"key"},
		Fields: []Field{
			text("key", "Key", func(g *DevGap) *string { return &g.Key }, help("made from the title when left empty")),
			integer("position", "Position", func(g *DevGap) *int { return &g.Position }, filled, help("0 goes last")),
			text("title", "Title", func(g *DevGap) *string { return &g.Title }, required),
			longText("detail", "Detail", func(g *DevGap) *string { return &g.Detail }),
			choice("status", "Status", []string{"missing", "partial", "done"}, func(g *DevGap) *string { return &g.Status }, required),
		}}, func() *DevGap { return &DevGap{Status: "missing"} }, func(g *DevGap) *int64 { return &g.ID })

	recognitionGapKind = declare(Kind{title: func(r Record) string { return r.(*RecognitionGap).Title },
		Name: "recognition-gap", Plural: "recognition_gaps", Title: "Revenue-recognition gap", Group: GroupAccounting,
		Doc:       "a way revenue is not yet recognised properly",
		KeyFields: []string{"key"},
		Fields: []Field{
			text("key", "Key", func(g *RecognitionGap) *string { return &g.Key }, help("made from the title when left empty")),
			ref("entity", "Entity", "entity", func(g *RecognitionGap) *string { return &g.EntityCode }, func(g *RecognitionGap) *int64 { return &g.EntityID }),
			text("title", "Title", func(g *RecognitionGap) *string { return &g.Title }, required),
			longText("detail", "Detail", func(g *RecognitionGap) *string { return &g.Detail }),
			choice("severity", "Severity", Severities, func(g *RecognitionGap) *Severity { return &g.Severity }, required),
			choice("status", "Status", []string{"open", "closed"}, func(g *RecognitionGap) *string { return &g.Status }, required),
		}}, func() *RecognitionGap { return &RecognitionGap{Severity: SeverityMedium, Status: "open"} }, func(g *RecognitionGap) *int64 { return &g.ID })

	milestoneKind = declare(Kind{title: func(r Record) string { return r.(*Milestone).Title },
		Name: "milestone", Plural: "milestones", Title: "Milestone", Group: GroupAccounting,
		Doc:       "a step on the road to profitability",
		KeyFields: []string{"key"},
		Fields: []Field{
			text("key", "Key", func(m *Milestone) *string { return &m.Key }, help("made from the title when left empty")),
			integer("position", "Position", func(m *Milestone) *int { return &m.Position }, filled, help("0 goes last")),
			text("title", "Title", func(m *Milestone) *string { return &m.Title }, required),
			longText("criteria", "Done when", func(m *Milestone) *string { return &m.Criteria }),
			date("due_on", "Due on", func(m *Milestone) *Date { return &m.DueOn }, required),
			date("done_on", "Done on", func(m *Milestone) *Date { return &m.DoneOn }),
		}}, func() *Milestone { return &Milestone{} }, func(m *Milestone) *int64 { return &m.ID })

	eventKind = declare(Kind{title: eventTitle,
		Name: "event", Plural: "events", Title: "Event", Group: GroupEvents,
		Doc:       "a charter, event, gig or job, with its timing; its crew and checklist are kinds of their own",
		KeyFields: []string{"key"},
		Fields: []Field{
			text("key", "Key", func(e *Event) *string { return &e.Key }, help("made from the date and title when left empty")),
			ref("entity", "Entity", "entity", func(e *Event) *string { return &e.EntityCode }, func(e *Event) *int64 { return &e.EntityID }, required),
			choice("kind", "Kind", []string{"charter", "event", "gig", "job"}, func(e *Event) *string { return &e.Kind }, required),
			text("title", "Title", func(e *Event) *string { return &e.Title }, required),
			text("location", "Location", func(e *Event) *string { return &e.Location }),
			instant("departs_at", "Departs at", func(e *Event) *time.Time { return &e.DepartsAt }, required),
			text("time_zone", "Time zone", func(e *Event) *string { return &e.TimeZone }, required, help("IANA zone: America/Los_Angeles")),
			integer("duration", "Duration (minutes)", func(e *Event) *int { return &e.Duration }, required),
			integer("crew_call", "Crew call (minutes before)", func(e *Event) *int { return &e.CrewCall }),
			integer("boarding", "Boarding (minutes before)", func(e *Event) *int { return &e.Boarding }),
			integer("turnaround", "Turnaround (minutes after)", func(e *Event) *int { return &e.Turnaround }),
			integer("guests", "Guests", func(e *Event) *int { return &e.Guests }),
			choice("status", "Status", []EventStatus{EventPlanned, EventConfirmed, EventDone, EventCancelled},
				func(e *Event) *EventStatus { return &e.Status }, required),
			longText("notes", "Notes", func(e *Event) *string { return &e.Notes }),
		}}, func() *Event {
		return &Event{Kind: "charter", Status: EventPlanned, TimeZone: "UTC", Duration: 180, CrewCall: 60, Boarding: 30, Turnaround: 60}
	}, func(e *Event) *int64 { return &e.ID })

	crewKind = declare(Kind{Name: "crew", Plural: "crew", Title: "Crew member", Group: GroupEvents,
		Doc:       "a person on an event's crew, with their role there",
		KeyFields: []string{"event", "person"},
		Fields: []Field{
			ref("event", "Event", "event", func(c *CrewMember) *string { return &c.EventKey }, func(c *CrewMember) *int64 { return &c.EventID }, required, cascade),
			ref("person", "Person", "person", func(c *CrewMember) *string { return &c.PersonEmail }, func(c *CrewMember) *int64 { return &c.PersonID }, required, cascade),
			choice("role", "Role on the event", []AccessRole{AccessCaptain, AccessCrew, AccessGuest}, func(c *CrewMember) *AccessRole { return &c.Role }, required),
		}}, func() *CrewMember { return &CrewMember{Role: AccessCrew} }, nil)

	phaseKind = declare(Kind{Name: "phase", Plural: "phases", Title: "Checklist phase", Group: GroupEvents,
		Doc:       "a phase of an event's checklist: pre-departure, boarding...",
		KeyFields: []string{"event", "name"},
		Fields: []Field{
			ref("event", "Event", "event", func(p *Phase) *string { return &p.EventKey }, func(p *Phase) *int64 { return &p.EventID }, required, cascade),
			text("name", "Name", func(p *Phase) *string { return &p.Name }, required),
			integer("position", "Position", func(p *Phase) *int { return &p.Position }, filled, help("0 goes last")),
		}}, func() *Phase { return &Phase{} }, func(p *Phase) *int64 { return &p.ID })

	itemKind = declare(Kind{title: func(r Record) string { return r.(*ChecklistItem).Title },
		Name: "item", Plural: "items", Title: "Checklist item", Group: GroupEvents,
		Doc:       "a task on an event's checklist, with who claimed and who did it",
		KeyFields: []string{"phase", "key"},
		Fields: []Field{
			ref("phase", "Phase", "phase", func(i *ChecklistItem) *string { return &i.PhaseKey }, func(i *ChecklistItem) *int64 { return &i.PhaseID }, required, cascade),
			text("key", "Key", func(i *ChecklistItem) *string { return &i.Key }, help("made from the title when left empty")),
			integer("position", "Position", func(i *ChecklistItem) *int { return &i.Position }, filled, help("0 goes last")),
			text("title", "Title", func(i *ChecklistItem) *string { return &i.Title }, required),
			choice("required_role", "For", []AccessRole{AccessCaptain, AccessCrew}, func(i *ChecklistItem) *AccessRole { return &i.RequiredRole },
				help("empty: crew")),
			boolean("mandatory", "Mandatory", func(i *ChecklistItem) *bool { return &i.Mandatory }),
			longText("note", "Note", func(i *ChecklistItem) *string { return &i.Note }),
			ref("claimed_by", "Claimed by", "person", func(i *ChecklistItem) *string { return &i.ClaimedEmail }, func(i *ChecklistItem) *int64 { return &i.ClaimedBy }, clears),
			instant("claimed_at", "Claimed at", func(i *ChecklistItem) *time.Time { return &i.ClaimedAt }),
			ref("done_by", "Done by", "person", func(i *ChecklistItem) *string { return &i.DoneEmail }, func(i *ChecklistItem) *int64 { return &i.DoneBy }, clears),
			instant("done_at", "Done at", func(i *ChecklistItem) *time.Time { return &i.DoneAt }),
		}}, func() *ChecklistItem { return &ChecklistItem{RequiredRole: AccessCrew} }, func(i *ChecklistItem) *int64 { return &i.ID })

	scheduleKind = declare(Kind{Name: "schedule", Plural: "schedules", Title: "Report schedule", Group: GroupPortfolio,
		Doc:       "when a role's report goes out",
		KeyFields: []string{"role"},
		Fields: []Field{
			choice("role", "Report", ReportRoles, func(s *Schedule) *ReportRole { return &s.Role }, required),
			text("cron", "When (cron)", func(s *Schedule) *string { return &s.Cron }, required, help("minute hour day month weekday: 0 7 * * 1")),
			text("time_zone", "Time zone", func(s *Schedule) *string { return &s.TimeZone }, required),
			boolean("weekdays_only", "Weekdays only", func(s *Schedule) *bool { return &s.WeekdaysOnly }),
			boolean("enabled", "Enabled", func(s *Schedule) *bool { return &s.Enabled }),
		}}, func() *Schedule { return &Schedule{TimeZone: "UTC"} }, nil)
)

// Kinds lists every kind, each after the kinds it refers to.
var Kinds = []*Kind{entityKind, personKind, accountKind, kpiKind, readingKind, shortfallKind, actionKind, costLineKind,
	unitEconomicsKind, revenueMonthKind, capitalTierKind, financialRuleKind, channelKind, channelTaskKind, findingKind,
	devGapKind, recognitionGapKind, milestoneKind, eventKind, crewKind, phaseKind, itemKind, scheduleKind}

// MustKind is the kind called name, for code that names one it knows.
func MustKind(name string) *Kind {
	k, err := KindNamed(name)
	if err != nil {
		panic(err)
	}
	return k
}

// KindNamed finds a kind by its name or its plural, in any case.
func KindNamed(name string) (*Kind, error) {
	for _, k := range Kinds {
		if strings.EqualFold(k.Name, name) || strings.EqualFold(k.Plural, strings.ReplaceAll(name, "-", "_")) {
			return k, nil
		}
	}
	return nil, Errorf(EINVALID, "no kind %q (opsdeck kinds lists them)", name)
}

// eventTitle is what an event's key is made from: the day it departs, in
// its own zone, and its title.
func eventTitle(r Record) string {
	e := r.(*Event)
	if e.DepartsAt.IsZero() {
		return e.Title
	}
	return InZone(e.DepartsAt, e.TimeZone).Format("2006-01-02") + " " + e.Title
}
