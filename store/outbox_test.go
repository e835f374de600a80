package store

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"opsdeck/portfolio"
)

// A report to many recipients keeps its bodies once per batch: every
// message reads them back whole, and the database does not grow by a
// copy a recipient. A message from before 0008 keeps its own.
func TestOutboxBodiesOncePerReport(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, filepath.Join(t.TempDir(), "bodies.db"))
	text, html := strings.Repeat("CEO REPORT ", 1000), "<!DOCTYPE html>"+strings.Repeat("<p>figures</p>", 4000)
	var msgs []OutboxMessage
	for i := range 200 {
		addr := fmt.Sprintf("exec%03d@example.com", i)
		msgs = append(msgs, OutboxMessage{Role: portfolio.RoleCEO, Recipient: addr, MessageID: fmt.Sprintf("<m%d@example.com>", i),
			From: "reports@example.com", To: []string{addr}, Subject: "CEO report", Text: text, HTML: html})
	}
	msgs = append(msgs, OutboxMessage{Role: portfolio.RoleCFO, Recipient: "cfo@example.com", MessageID: "<cfo@example.com>",
		From: "reports@example.com", To: []string{"cfo@example.com"}, Subject: "CFO report", Text: "CFO REPORT", HTML: "<p>cfo</p>"})
	if err := s.Update(ctx, "test", func(tx *Tx) error { return tx.CreateBatch(ctx, &OutboxBatch{Transport: "file"}, msgs) }); err != nil {
		t.Fatal(err)
	}
	var bodies, inline int
	if err := s.read.QueryRowContext(ctx, "SELECT count(*) FROM outbox_bodies").Scan(&bodies); err != nil {
		t.Fatal(err)
	}
	if err := s.read.QueryRowContext(ctx, "SELECT coalesce(sum(length(body_text) + length(body_html)), 0) FROM outbox").Scan(&inline); err != nil {
		t.Fatal(err)
	}
	if bodies != 2 || inline != 0 {
		t.Errorf("%d body rows (want one per report), %d bytes of bodies on the message rows", bodies, inline)
	}
	for _, id := range []int64{msgs[0].ID, msgs[199].ID} {
		m, err := s.OutboxMessage(ctx, id)
		if err != nil || m.Text != text || m.HTML != html {
			t.Errorf("message %d reads %d/%d bytes of bodies (%v)", id, len(m.Text), len(m.HTML), err)
		}
	}
	if m, _ := s.OutboxMessage(ctx, msgs[200].ID); m.Text != "CFO REPORT" || m.HTML != "<p>cfo</p>" {
		t.Errorf("the CFO message reads %q %q", m.Text, m.HTML)
	}
	// A row from before: its bodies inline, no body row.
	if _, err := s.write.ExecContext(ctx, "UPDATE outbox SET body_id = NULL, body_text = 'old text', body_html = 'old html' WHERE id = ?", msgs[5].ID); err != nil {
		t.Fatal(err)
	}
	if m, _ := s.OutboxMessage(ctx, msgs[5].ID); m.Text != "old text" || m.HTML != "old html" {
		t.Errorf("a row from before reads %q %q", m.Text, m.HTML)
	}
	// A claim reads the bodies too: what the worker sends.
	m, ok, err := s.ClaimNextDue(ctx)
	if err != nil || !ok || m.Text != text {
		t.Errorf("claimed %v %v with %d bytes of text", ok, err, len(m.Text))
	}
}

// A message skipped for a suppressed address can be sent once the address
// is off the list, and not before.
func TestRetrySuppressedAfterRemoval(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, filepath.Join(t.TempDir(), "retry.db"))
	msgs := []OutboxMessage{{Role: portfolio.RoleCEO, Recipient: "ada@example.com", MessageID: "<m@example.com>", From: "reports@example.com",
		To: []string{"ada@example.com"}, Subject: "CEO report", Text: "t", Status: OutboxSuppressed, LastError: "not sent: suppressed"}}
	if err := s.Update(ctx, "test", func(tx *Tx) error {
		if _, err := tx.Suppress(ctx, "ada@example.com", SuppressedBounce, "550", 0); err != nil {
			return err
		}
		return tx.CreateBatch(ctx, &OutboxBatch{Transport: "file"}, msgs)
	}); err != nil {
		t.Fatal(err)
	}
	retry := func() error {
		return s.Update(ctx, "op", func(tx *Tx) error { return tx.RetryOutbox(ctx, msgs[0].ID) })
	}
	if err := retry(); portfolio.ErrorCode(err) != portfolio.ECONFLICT || !strings.Contains(err.Error(), "still on the suppression list") {
		t.Fatalf("retry while suppressed: %v", err)
	}
	if err := s.Update(ctx, "op", func(tx *Tx) error { return tx.Unsuppress(ctx, "ada@example.com") }); err != nil {
		t.Fatal(err)
	}
	if err := retry(); err != nil {
		t.Fatalf("retry after removal: %v", err)
	}
	if m, _ := s.OutboxMessage(ctx, msgs[0].ID); m.Status != OutboxQueued || m.LastError != "" {
		t.Errorf("after retry: %s %q", m.Status, m.LastError)
	}
	if err := retry(); portfolio.ErrorCode(err) != portfolio.ECONFLICT {
		t.Errorf("retry of a queued message: %v", err)
	}
}
