package demo

import "opsdeck/portfolio"

func (d *loader) accounts() error {
	chart := []portfolio.Account{
		{Code: "1000", Name: "Assets", Type: "asset"},
		{Code: "1010", Name: "Operating checking", Type: "asset", ParentCode: "1000"},
		{Code: "1020", Name: "Stripe clearing", Type: "asset", ParentCode: "1000", Description: "Card receipts not yet paid out."},
		{Code: "1200", Name: "Accounts receivable", Type: "asset", ParentCode: "1000"},
		{Code: "1500", Name: "Vessel and equipment", Type: "asset", ParentCode: "1000"},
		{Code: "2000", Name: "Liabilities", Type: "liability"},
		{Code: "2100", Name: "Credit cards", Type: "liability", ParentCode: "2000"},
		{Code: "2200", Name: "Customer deposits", Type: "liability", ParentCode: "2000",
			Description: "Charter and booking deposits, held until the date of service."},
		{Code: "2300", Name: "Sales tax payable", Type: "liability", ParentCode: "2000"},
		{Code: "3000", Name: "Equity", Type: "equity"},
		{Code: "3100", Name: "Owner contributions", Type: "equity", ParentCode: "3000"},
		{Code: "3200", Name: "Owner draws", Type: "equity", ParentCode: "3000"},
		{Code: "4000", Name: "Income", Type: "income"},
		{Code: "4100", Name: "Charter revenue", Type: "income", ParentCode: "4000", Description: "JADA, recognised on the charter date."},
		{Code: "4200", Name: "Event and ticket revenue", Type: "income", ParentCode: "4000", Description: "Queen of San Diego."},
		{Code: "4300", Name: "Hauling revenue", Type: "income", ParentCode: "4000", Description: "QuickDumpNow."},
		{Code: "4400", Name: "Performance fees", Type: "income", ParentCode: "4000", Description: "DangerousCentaur."},
		{Code: "5000", Name: "Cost of sales", Type: "expense"},
		{Code: "5100", Name: "Charter fuel and provisioning", Type: "expense", ParentCode: "5000"},
		{Code: "5200", Name: "Crew and performer pay", Type: "expense", ParentCode: "5000"},
		{Code: "5300", Name: "Disposal and tipping fees", Type: "expense", ParentCode: "5000"},
		{Code: "6000", Name: "Operating expenses", Type: "expense"},
		{Code: "6100", Name: "Moorage", Type: "expense", ParentCode: "6000"},
		{Code: "6200", Name: "Insurance", Type: "expense", ParentCode: "6000"},
		{Code: "6300", Name: "Software and cloud", Type: "expense", ParentCode: "6000"},
		{Code: "6400", Name: "Marketing", Type: "expense", ParentCode: "6000"},
		{Code: "6500", Name: "Vehicles", Type: "expense", ParentCode: "6000"},
		{Code: "6600", Name: "Professional fees", Type: "expense", ParentCode: "6000"},
		{Code: "6700", Name: "Repairs and maintenance", Type: "expense", ParentCode: "6000"},
		{Code: "6800", Name: "Rent and storage", Type: "expense", ParentCode: "6000"},
		{Code: "6900", Name: "Telephone and internet", Type: "expense", ParentCode: "6000"},
	}
	for i := range chart {
		if err := d.tx.CreateAccount(d.ctx, &chart[i]); err != nil {
			return err
		}
	}
	return nil
}

func (d *loader) costs() error {
	lines := []struct {
		entity, category, vendor, description string
		low, high                             int64
		account, note                         string
	}{
		{"JADA", "Vessel", "Bayside Marina", "Slip lease", 1450, 1450, "6100", ""},
		{"JADA", "Insurance", "Marine underwriter", "Hull and liability cover for charter use", 780, 780, "6200", ""},
		{"JADA", "Vessel", "Boatyard", "Maintenance and haul-out reserve", 600, 1100, "6700", "Reserve, not billed monthly: keep it funded."},
		{"JADA", "Crew", "Captain retainer", "Monthly retainer, day rates are per charter", 1500, 1800, "5200", "Review against the crew equity promises."},
		{"QOS", "Marketing", "Email platform", "Sending and list hosting", 60, 90, "6400", ""},
		{"QOS", "Marketing", "Social ads", "Boosted event posts", 0, 300, "", "Pause until tracking shows what a post returns."},
		{"QDN", "Vehicles", "Truck lease", "Dump truck", 650, 650, "6500", ""},
		{"QDN", "Insurance", "Commercial auto cover", "", 310, 310, "6200", ""},
		{"QDN", "Vehicles", "Yard and equipment", "Storage yard, straps, tarps", 150, 200, "6800", ""},
		{"DC", "Rent and storage", "Rehearsal studio", "", 300, 400, "6800", ""},
		{"DC", "Rent and storage", "Equipment storage", "", 120, 120, "6800", ""},
		{"CLOUD", "Software and cloud", "Amazon Web Services", "S3, CloudFront, Lambda, SES, Route 53", 95, 140, "6300", "About $25 a month of waste found by the CTO audit."},
		{"", "Software and cloud", "Google Workspace", "Mail and documents", 36, 36, "6300", ""},
		{"", "Software and cloud", "Domains and DNS", "", 25, 40, "6300", ""},
		{"", "Professional fees", "Bookkeeper", "Contract bookkeeping", 300, 450, "6600", ""},
		{"", "Professional fees", "Legal counsel", "Contracts and the crew agreement", 200, 350, "6600", ""},
		{"", "Telephone and internet", "Mobile and hotspot", "", 150, 170, "6900", ""},
		{"", "Insurance", "General liability umbrella", "", 310, 310, "6200", ""},
	}
	for _, l := range lines {
		c := portfolio.CostLine{EntityID: d.entity[l.entity], Category: l.category, Vendor: l.vendor, Description: l.description,
			Low: money(l.low), High: money(l.high), AccountCode: l.account, AuditNote: l.note}
		if err := d.tx.CreateCostLine(d.ctx, &c); err != nil {
			return err
		}
	}
	units := []portfolio.UnitEconomics{
		{EntityID: d.entity["JADA"], Unit: "charter", Price: money(2400), VariableCost: money(900), Basis: portfolio.BasisPortfolio},
		{EntityID: d.entity["QOS"], Unit: "ticket", Price: money(45), VariableCost: money(18), Basis: portfolio.BasisEntity},
		{EntityID: d.entity["QDN"], Unit: "haul", Price: money(325), VariableCost: money(140), Basis: portfolio.BasisEntity},
		{EntityID: d.entity["DC"], Unit: "gig", Price: money(2500), VariableCost: money(1100), Basis: portfolio.BasisEntity},
	}
	for i := range units {
		if err := d.tx.SetUnitEconomics(d.ctx, &units[i]); err != nil {
			return err
		}
	}
	return nil
}

func (d *loader) revenue() error {
	months := []string{"2026-07", "2026-08", "2026-09", "2026-10", "2026-11", "2026-12"}
	targets := map[string][]int64{
		"JADA": {4800, 7200, 9600, 12000, 14400, 14400},
		"QOS":  {0, 1500, 1500, 3000, 3000, 5000},
		"QDN":  {2000, 2500, 3000, 3500, 4000, 4500},
		"DC":   {1500, 1500, 3000, 3000, 4500, 4500},
	}
	// Only a few months were ever written down: the gap the accounting
	// report exists to close.
	actuals := map[string]map[string]int64{
		"JADA": {"2026-07": 4800, "2026-08": 2400},
		"QDN":  {"2026-08": 1750},
	}
	for _, code := range []string{"JADA", "QOS", "QDN", "DC"} {
		for i, m := range months {
			r := portfolio.RevenueMonth{EntityID: d.entity[code], Month: m, Target: money(targets[code][i])}
			if a, ok := actuals[code][m]; ok {
				v := money(a)
				r.Actual = &v
			}
			if err := d.tx.SetRevenueMonth(d.ctx, &r); err != nil {
				return err
			}
		}
	}
	return nil
}

func (d *loader) capital() error {
	cap0, cap1, cap2 := money(0), money(500), money(2500)
	tiers := []portfolio.CapitalTier{
		{Name: "Zero-cost optimizations", Policy: portfolio.PolicyDeploy, Max: &cap0,
			Description: "Changes that cost nothing but time: configuration, clean-up, process.",
			Examples:    "Right-size Lambda, S3 lifecycle rules, claim Google Business Profiles, email the list."},
		{Name: "Low-cost wins", Policy: portfolio.PolicyDeploy, Max: &cap1,
			Description: "Small monthly spends that pay back within 60 days.",
			Examples:    "Marketplace listing fees, a review-request tool, WAF managed rules."},
		{Name: "Revenue-producing features", Policy: portfolio.PolicyDeploy, Max: &cap2,
			Description: "Spend only where a booking or an invoice follows directly.",
			Examples:    "Online booking with deposits, GetMyBoat and Viator onboarding."},
		{Name: "Do not deploy", Policy: portfolio.PolicyDoNotDeploy,
			Description: "Anything that does not bring revenue before break-even.",
			Examples:    "Brand redesigns, a second vessel, paid influencer campaigns, rewriting working apps."},
	}
	for i := range tiers {
		tiers[i].Position = i + 1
		if err := d.tx.CreateCapitalTier(d.ctx, &tiers[i]); err != nil {
			return err
		}
	}
	rules := []portfolio.FinancialRule{
		{Rule: "No new recurring cost without a named revenue line that pays for it.",
			Rationale: "Burn only falls if every new bill has an owner and a payback."},
		{Rule: "Every dollar in and out is recorded, by entity, within seven days.",
			Rationale: "Revenue that is not recorded cannot be managed, taxed or lent against."},
		{Rule: "No equity, profit share or deferred pay is promised without a signed agreement reviewed by counsel.",
			Rationale: "Verbal promises become claims on the business at the worst moment."},
	}
	for i := range rules {
		rules[i].Position = i + 1
		if err := d.tx.CreateFinancialRule(d.ctx, &rules[i]); err != nil {
			return err
		}
	}
	return nil
}
