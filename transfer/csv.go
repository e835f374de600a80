package transfer

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"time"

	"opsdeck/portfolio"
	"opsdeck/store"
)

// What spreadsheets hold, as rows: a kind, the columns its header may name
// (beside the kind's own field names), and how a row becomes a record.
type sheet struct {
	kind string
	// aliases map a column's name to the field it fills.
	aliases map[string]string
	// build makes a record from a row's columns, by field name.
	build func(k *portfolio.Kind, cols map[string]string) (portfolio.Record, error)
}

var sheets = []sheet{
	{kind: "reading", aliases: map[string]string{"date": "taken_at", "taken": "taken_at", "reading": "value"},
		build: func(k *portfolio.Kind, cols map[string]string) (portfolio.Record, error) {
			// A row names its KPI by entity and key, and its day by a date.
			if entity, ok := cols["entity"]; ok && !strings.Contains(cols["kpi"], "/") {
				cols["kpi"] = strings.TrimSpace(entity) + "/" + strings.TrimSpace(cols["kpi"])
			}
			if strings.TrimSpace(cols["taken_at"]) == "" {
				return nil, portfolio.Errorf(portfolio.EINVALID, "date is required")
			}
			if d, err := portfolio.ParseDate(cols["taken_at"]); err == nil {
				// A day's reading is taken at noon UTC, the same day in
				// every zone people read it in.
				cols["taken_at"] = d.Time().Add(12 * time.Hour).Format(time.RFC3339)
			} else if _, terr := portfolio.ParseTime(cols["taken_at"]); terr != nil {
				return nil, portfolio.Errorf(portfolio.EINVALID, "date: %q is not a date (YYYY-MM-DD) or a time with its offset (2026-11-20T09:00:00-08:00)", cols["taken_at"])
			}
			delete(cols, "entity")
			return fromColumns(k, cols)
		}},
	{kind: "revenue-month", aliases: map[string]string{"target_revenue": "target", "actual_revenue": "actual", "revenue": "actual"},
		build: fromColumns},
	{kind: "cost-line", aliases: map[string]string{"low_monthly": "low", "high_monthly": "high", "monthly": "low", "note": "audit_note"},
		build: func(k *portfolio.Kind, cols map[string]string) (portfolio.Record, error) {
			// One monthly figure is a range of one.
			if _, ok := cols["high"]; !ok {
				cols["high"] = cols["low"]
			}
			return fromColumns(k, cols)
		}},
}

// fromColumns fills a new record's fields from columns named for them.
func fromColumns(k *portfolio.Kind, cols map[string]string) (portfolio.Record, error) {
	rec := k.New()
	for name, v := range cols {
		f, ok := k.Field(name)
		if !ok {
			return nil, portfolio.Errorf(portfolio.EINVALID, "%s has no field %s", k.Name, name)
		}
		if err := f.Parse(rec, v); err != nil {
			return nil, err
		}
	}
	return rec, nil
}

// IsCSV reports whether a file named name is a spreadsheet's rows.
func IsCSV(name string) bool { return strings.EqualFold(strings.TrimPrefix(pathExt(name), "."), "csv") }

func pathExt(name string) string {
	if i := strings.LastIndexByte(name, '.'); i >= 0 && !strings.ContainsRune(name[i:], '/') {
		return name[i:]
	}
	return ""
}

// ImportCSV reads a spreadsheet's rows (named name, for messages) as
// records of kind (or, with kind "", the kind its header shows), checks
// every row, and then applies them as Import does: added, or changed where
// a record has the same key. Nothing is written unless every row is good.
func ImportCSV(ctx context.Context, s *store.Store, actor, name string, data []byte, kind string, opts Options) (Result, error) {
	probs := &Problems{File: name}
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))))
	r.TrimLeadingSpace = true
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		probs.add(1, "the file is empty: its first line must name the columns")
		return Result{}, probs
	}
	if err != nil {
		probs.add(1, "%s", csvMessage(err))
		return Result{}, probs
	}
	for i := range header {
		header[i] = strings.ReplaceAll(strings.ToLower(strings.TrimSpace(header[i])), " ", "_")
	}
	sh, err := pickSheet(kind, header)
	if err != nil {
		probs.add(1, "%s", portfolio.ErrorMessage(err))
		return Result{}, probs
	}
	k, _ := portfolio.KindNamed(sh.kind)
	columns := make([]string, len(header))
	for i, h := range header {
		if f, ok := sh.aliases[h]; ok {
			h = f
		}
		if _, ok := k.Field(h); !ok && !(sh.kind == "reading" && h == "entity") {
			probs.add(1, "column %q is not a field of %s (opsdeck kinds %s lists them)", header[i], k.Name, k.Name)
			continue
		}
		columns[i] = h
	}
	if len(probs.List) > 0 {
		return Result{}, probs
	}
	doc := &document{sections: map[string]bool{}}
	for {
		row, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.Line
			}
			probs.add(line, "%s", csvMessage(err))
			if !errors.Is(err, csv.ErrFieldCount) {
				break
			}
			continue
		}
		line, _ := r.FieldPos(0)
		if blank(row) {
			continue
		}
		cols := map[string]string{}
		for i, v := range row {
			if columns[i] != "" {
				cols[columns[i]] = v
			}
		}
		rec, err := sh.build(k, cols)
		if err != nil {
			probs.add(line, "%s", portfolio.ErrorMessage(err))
			continue
		}
		given := map[string]bool{}
		for name := range cols {
			given[name] = true
		}
		doc.records = append(doc.records, parsed{kind: k, rec: rec, line: line, given: given})
	}
	if len(doc.records) == 0 && len(probs.List) == 0 {
		probs.add(1, "no rows below the header")
	}
	if len(doc.records) == 0 {
		return Result{}, probs
	}
	return applyDocument(ctx, s, actor, doc, Options{DryRun: opts.DryRun}, probs)
}

// CheckSheetKind says whether records of kind come from spreadsheets,
// before any file is read.
func CheckSheetKind(kind string) error {
	_, err := pickSheet(kind, nil)
	return err
}

// pickSheet is the sheet for kind, or the one the header's columns show.
func pickSheet(kind string, header []string) (sheet, error) {
	if kind != "" {
		k, err := portfolio.KindNamed(kind)
		if err != nil {
			return sheet{}, err
		}
		for _, sh := range sheets {
			if sh.kind == k.Name {
				return sh, nil
			}
		}
		return sheet{}, portfolio.Errorf(portfolio.EINVALID, "%s records do not come from spreadsheets (reading, revenue-month or cost-line do)", k.Name)
	}
	has := func(name string) bool {
		for _, h := range header {
			if h == name {
				return true
			}
		}
		return false
	}
	switch {
	case has("kpi"):
		return sheets[0], nil
	case has("month"):
		return sheets[1], nil
	case has("vendor"):
		return sheets[2], nil
	}
	return sheet{}, portfolio.Errorf(portfolio.EINVALID,
		"cannot tell what the rows are from the header (a kpi, month or vendor column); give --kind reading, revenue-month or cost-line")
}

func blank(row []string) bool {
	for _, v := range row {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}

func csvMessage(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
