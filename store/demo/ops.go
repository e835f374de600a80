package demo

import (
	"time"

	"opsdeck/portfolio"
)

func ptr[T any](v T) *T { return &v }

func (d *loader) marketing() error {
	type ch = portfolio.Channel
	channels := []ch{
		{EntityID: d.entity["QOS"], Name: "Email list", Kind: portfolio.ChannelEmail, Status: portfolio.ChannelPlanned,
			AudienceSize: ptr[int64](3676), ValueLow: money(10000), ValueHigh: money(50000),
			Notes: "Next blast: concert and charter announcement. Value modelled on concert bookings it could bring."},
		{EntityID: d.entity["QOS"], Name: "Instagram", Kind: portfolio.ChannelSocial, Status: portfolio.ChannelLive, AudienceSize: ptr[int64](2100)},
		{EntityID: d.entity["QOS"], Name: "Website", Kind: portfolio.ChannelWeb, Status: portfolio.ChannelLive},
		{EntityID: d.entity["JADA"], Name: "Sailo", Kind: portfolio.ChannelOTA, Status: portfolio.ChannelPlanned, Sequence: ptr(1),
			ValueLow: money(2400), ValueHigh: money(7200), Notes: "Lowest friction: listing approved in days, no integration."},
		{EntityID: d.entity["JADA"], Name: "GetMyBoat", Kind: portfolio.ChannelOTA, Status: portfolio.ChannelNone, Sequence: ptr(2),
			ValueLow: money(2400), ValueHigh: money(4800), Notes: "Second, once the Sailo listing has reviews to show."},
		{EntityID: d.entity["JADA"], Name: "Viator", Kind: portfolio.ChannelOTA, Status: portfolio.ChannelNone, Sequence: ptr(3),
			ValueLow: money(0), ValueHigh: money(4800), Notes: "After proof of concept: needs instant booking and a cancellation policy."},
		{EntityID: d.entity["JADA"], Name: "GetYourGuide", Kind: portfolio.ChannelOTA, Status: portfolio.ChannelNone, Sequence: ptr(3),
			ValueLow: money(0), ValueHigh: money(4800), Notes: "Launches with Viator once JADA has marketplace reviews."},
		{EntityID: d.entity["JADA"], Name: "Instagram", Kind: portfolio.ChannelSocial, Status: portfolio.ChannelLive, AudienceSize: ptr[int64](1400)},
		{EntityID: d.entity["JADA"], Name: "Website", Kind: portfolio.ChannelWeb, Status: portfolio.ChannelLive},
		{EntityID: d.entity["QDN"], Name: "Google Business Profile", Kind: portfolio.ChannelSEO, Status: portfolio.ChannelInProgress,
			ValueLow: money(1000), ValueHigh: money(3000), Notes: "The local-SEO roadmap: map results drive most junk-removal calls.",
			Tasks: []portfolio.ChannelTask{
				{Title: "Claim and verify the Google Business Profile", DueOn: d.today.AddDays(24)},
				{Title: "List name, address and phone identically in ten local directories", DueOn: d.today.AddDays(35)},
				{Title: "Publish a service-area page for each neighbourhood served", DueOn: d.today.AddDays(49)},
				{Title: "Ask every customer for a review the day of the haul", DueOn: d.today.AddDays(56)},
				{Title: "Post weekly before-and-after photos to the profile", DueOn: d.today.AddDays(70)},
			}},
		{EntityID: d.entity["QDN"], Name: "Website", Kind: portfolio.ChannelWeb, Status: portfolio.ChannelLive},
		{EntityID: d.entity["QDN"], Name: "Yelp", Kind: portfolio.ChannelReferral, Status: portfolio.ChannelNone},
		{EntityID: d.entity["DC"], Name: "Instagram", Kind: portfolio.ChannelSocial, Status: portfolio.ChannelLive, AudienceSize: ptr[int64](6200)},
		{EntityID: d.entity["DC"], Name: "Booking agencies", Kind: portfolio.ChannelReferral, Status: portfolio.ChannelPlanned,
			ValueLow: money(2500), ValueHigh: money(10000)},
	}
	for i := range channels {
		if err := d.tx.CreateChannel(d.ctx, &channels[i]); err != nil {
			return err
		}
	}
	return nil
}

func (d *loader) technology() error {
	findings := []portfolio.Finding{
		{EntityID: d.entity["JADA"], Stack: "JADA site and payments", Category: "security", Severity: portfolio.SeverityCritical,
			Title: "Stripe secret keys hard-coded in repositories", Detail: "Live keys sit in source files and in git history.",
			Remediation: "Roll the keys, purge them from history, load them from AWS Secrets Manager at runtime.", EffortDays: 1},
		{EntityID: d.entity["TOOLS"], Stack: "Operations tooling", Category: "security", Severity: portfolio.SeverityHigh,
			Title: "Plaintext environment configs", Detail: "Credential files are readable by any process on the laptops that hold them.",
			Remediation: "Keep env files outside repositories with mode 0600, or in a secrets manager.", EffortDays: 0.5},
		{EntityID: d.entity["QOS"], Stack: "QOS forms", Category: "security", Severity: portfolio.SeverityHigh,
			Title: "Unauthenticated Google Apps Script endpoints", Detail: "Anyone with the URL can write to the sheets behind the forms.",
			Remediation: "Require a signed request (HMAC) or move the endpoints behind an authenticated API.", EffortDays: 2},
		{EntityID: d.entity["CLOUD"], Stack: "CloudFront and S3", Category: "security", Severity: portfolio.SeverityMedium,
			Title: "No WAF in front of public distributions", Detail: "Bots and injection attempts reach the origins unfiltered.",
			Remediation: "Attach AWS WAF managed rule groups and a rate limit to every public distribution.", EffortDays: 1},
		{EntityID: d.entity["SCC"], Stack: "ShipCaptainCrew", Category: "security", Severity: portfolio.SeverityMedium,
			Title: "JWT signing secret never rotated", Detail: "One secret has signed every token since launch.",
			Remediation: "Add key ids and rotate the signing secret quarterly, accepting the previous key for a day.", EffortDays: 1},
		{EntityID: d.entity["QDN"], Stack: "QuickDumpNow site", Category: "performance", Severity: portfolio.SeverityMedium,
			Title: "Multi-megabyte hero images on mobile", Detail: "The first page load is slow on a phone, where most customers are.",
			Remediation: "Serve resized WebP images through CloudFront.", EffortDays: 0.5},
		{EntityID: d.entity["SCC"], Stack: "ShipCaptainCrew", Category: "cost", Severity: portfolio.SeverityLow,
			Title: "Lambda over-provisioned", Detail: "The handler runs at 1,024 MB and uses under 150.",
			Remediation: "Right-size the function's memory to 256 MB.", MonthlySaving: money(6), EffortDays: 0.25},
		{EntityID: d.entity["CLOUD"], Stack: "Shared AWS account", Category: "cost", Severity: portfolio.SeverityLow,
			Title: "Orphaned volumes and snapshots", Detail: "Storage left behind by instances deleted long ago.",
			Remediation: "Delete unattached EBS volumes and snapshots older than 90 days.", MonthlySaving: money(9), EffortDays: 0.25},
		{EntityID: d.entity["CLOUD"], Stack: "Shared AWS account", Category: "cost", Severity: portfolio.SeverityLow,
			Title: "Log buckets without lifecycle rules", Detail: "Access logs are kept forever in S3 Standard.",
			Remediation: "Expire access logs after 90 days.", MonthlySaving: money(4), EffortDays: 0.25},
		{EntityID: d.entity["CLOUD"], Stack: "Shared AWS account", Category: "cost", Severity: portfolio.SeverityLow,
			Title: "CloudWatch logs with no retention", Detail: "Every Lambda log group keeps its logs indefinitely.",
			Remediation: "Set a 30-day retention on every log group.", MonthlySaving: money(6), EffortDays: 0.25},
	}
	for i := range findings {
		if err := d.tx.CreateFinding(d.ctx, &findings[i]); err != nil {
			return err
		}
	}
	gaps := []portfolio.DevGap{
		{Title: "No CI/CD", Detail: "Builds and deploys are run by hand from a laptop.", Status: "missing"},
		{Title: "No staging environment", Detail: "Every change is first tried in production.", Status: "missing"},
		{Title: "No automated rollback", Detail: "Undoing a bad deploy means redeploying an old zip by hand.", Status: "missing"},
		{Title: "Tests before deploy", Detail: "Only a syntax check runs before a Lambda is deployed.", Status: "partial"},
	}
	for i := range gaps {
		gaps[i].Position = i + 1
		if err := d.tx.CreateDevGap(d.ctx, &gaps[i]); err != nil {
			return err
		}
	}
	return nil
}

func (d *loader) accounting() error {
	gaps := []portfolio.RecognitionGap{
		{EntityID: d.entity["JADA"], Title: "Charter deposits counted as revenue when received",
			Detail: "Deposits belong in customer deposits until the charter sails, and back out if it is cancelled.", Severity: portfolio.SeverityCritical},
		{EntityID: d.entity["QDN"], Title: "Cash and app payments for hauls not recorded",
			Detail: "Payments taken on the truck never reach the books.", Severity: portfolio.SeverityCritical},
		{EntityID: d.entity["QOS"], Title: "Ticket platform payouts never reconciled",
			Detail: "Payouts arrive net of fees and refunds with no record of the gross sale.", Severity: portfolio.SeverityHigh},
		{EntityID: d.entity["DC"], Title: "Gig fees paid to performers' own accounts",
			Detail: "Some bookings are paid directly to band members and never invoiced by the act.", Severity: portfolio.SeverityHigh},
		{Title: "No policy for cancellations and refunds",
			Detail: "Each cancellation is handled case by case, so revenue is reversed inconsistently.", Severity: portfolio.SeverityMedium},
	}
	for i := range gaps {
		gaps[i].Status = "open"
		if err := d.tx.CreateRecognitionGap(d.ctx, &gaps[i]); err != nil {
			return err
		}
	}
	milestones := []portfolio.Milestone{
		{Title: "Revenue tracked for every entity", Criteria: "All four operating entities record monthly actuals; no revenue KPI is missing.",
			DueOn: portfolio.NewDate(2026, time.December, 15)},
		{Title: "First break-even month", Criteria: "JADA sails its break-even number of charters in one calendar month.",
			DueOn: portfolio.NewDate(2027, time.January, 31)},
		{Title: "Two marketplaces live with bookings", Criteria: "Sailo and GetMyBoat listings each bring a paid charter.",
			DueOn: portfolio.NewDate(2027, time.February, 28)},
		{Title: "Profitable quarter", Criteria: "Revenue above burn in each month of the quarter, books reconciled.",
			DueOn: portfolio.NewDate(2027, time.March, 31)},
	}
	for i := range milestones {
		milestones[i].Position = i + 1
		if err := d.tx.CreateMilestone(d.ctx, &milestones[i]); err != nil {
			return err
		}
	}
	return nil
}

// at returns the demo's local time on the day n days from today.
func (d *loader) at(days, hour, minute int) time.Time {
	t := d.today.AddDays(days).Time()
	return time.Date(t.Year(), t.Month(), t.Day(), hour, minute, 0, 0, d.loc)
}

func (d *loader) events() error {
	captain, sam, jess := d.person["captain"], d.person["deck1"], d.person["deck2"]
	claimedAt := d.tx.Now().Add(-2 * time.Hour)
	item := func(title string, role portfolio.AccessRole, mandatory bool) portfolio.ChecklistItem {
		return portfolio.ChecklistItem{Title: title, RequiredRole: role, Mandatory: mandatory}
	}
	claimed := func(it portfolio.ChecklistItem, by int64, done bool) portfolio.ChecklistItem {
		it.ClaimedBy, it.ClaimedAt = by, claimedAt
		if done {
			it.DoneBy, it.DoneAt = by, claimedAt.Add(40*time.Minute)
		}
		return it
	}
	charterChecklist := func(claims bool) []portfolio.Phase {
		fuel := item("Check fuel, oil and coolant", portfolio.AccessCaptain, true)
		provisions := item("Load ice, water and provisions", portfolio.AccessCrew, false)
		lifejackets := item("Count life jackets and check the safety kit", portfolio.AccessCrew, true)
		if claims {
			fuel = claimed(fuel, captain, true)
			provisions = claimed(provisions, sam, false)
			lifejackets = claimed(lifejackets, jess, true)
		}
		return []portfolio.Phase{
			{Name: "Pre-departure", Items: []portfolio.ChecklistItem{
				item("Check weather, tides and notices to mariners", portfolio.AccessCaptain, true),
				fuel, lifejackets, provisions,
				item("Clean the head and galley", portfolio.AccessCrew, false),
			}},
			{Name: "Boarding", Items: []portfolio.ChecklistItem{
				item("Check guests against the manifest", portfolio.AccessCrew, true),
				item("Collect signed waivers", portfolio.AccessCrew, true),
				item("Give the safety briefing", portfolio.AccessCaptain, true),
			}},
			{Name: "Underway", Items: []portfolio.ChecklistItem{
				item("Log engine hours and position every hour", portfolio.AccessCaptain, false),
				item("Take photos for social posts", portfolio.AccessCrew, false),
			}},
			{Name: "Return and turnaround", Items: []portfolio.ChecklistItem{
				item("Secure lines and fenders", portfolio.AccessCrew, true),
				item("Take trash and recycling ashore", portfolio.AccessCrew, false),
				item("Record fuel used and engine hours", portfolio.AccessCaptain, true),
				item("File an incident report, or note that there was none", portfolio.AccessCaptain, false),
			}},
		}
	}
	events := []portfolio.Event{
		{EntityID: d.entity["JADA"], Kind: "charter", Title: "Sunset harbor cruise, private party of ten",
			Location: "Shelter Island guest dock, San Diego", DepartsAt: d.at(3, 17, 30), TimeZone: TimeZone,
			Duration: 180, CrewCall: 90, Boarding: 30, Turnaround: 60, Guests: 10, Status: portfolio.EventConfirmed,
			Notes:  "Birthday party; the client brings a cake. No red wine on deck.",
			Crew:   []portfolio.CrewMember{{PersonID: captain, Role: portfolio.AccessCaptain}, {PersonID: sam, Role: portfolio.AccessCrew}, {PersonID: jess, Role: portfolio.AccessCrew}},
			Phases: charterChecklist(true)},
		{EntityID: d.entity["JADA"], Kind: "charter", Title: "Coastal whale watch, corporate group",
			Location: "Harbor Island west basin, San Diego", DepartsAt: d.at(10, 9, 0), TimeZone: TimeZone,
			Duration: 240, CrewCall: 75, Boarding: 30, Turnaround: 75, Guests: 12, Status: portfolio.EventPlanned,
			Notes:  "Invoice to the client's office; deposit due a week before.",
			Crew:   []portfolio.CrewMember{{PersonID: captain, Role: portfolio.AccessCaptain}, {PersonID: jess, Role: portfolio.AccessCrew}},
			Phases: charterChecklist(false)},
	}
	for i := range events {
		if err := d.tx.CreateEvent(d.ctx, &events[i]); err != nil {
			return err
		}
	}
	return nil
}
