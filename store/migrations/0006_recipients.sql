-- 0006: one message per recipient, what SES says happened to it, and the
-- addresses not to mail again.
--
-- Until now a role's report was one message with every recipient in To.
-- From here each message has one recipient (the batch groups them), so a
-- bad address costs one message, nobody sees the others' addresses, and
-- SES's delivery, bounce and complaint events can be matched to a row.
-- SQLite cannot change a CHECK in place, so the table is rebuilt; rows
-- from before keep their To lists.

CREATE TABLE outbox_new (
  id              INTEGER PRIMARY KEY,
  batch_id        INTEGER NOT NULL REFERENCES outbox_batches(id) ON DELETE CASCADE,
  kind            TEXT NOT NULL CHECK (kind IN ('report', 'alert')),
  report_role     TEXT CHECK (report_role IN ('ceo', 'cto', 'cmo', 'cfo', 'accounting')),
  -- recipient: a report recipient; audit: the BCC copy, once per report per
  -- batch; test: a copy sent to an address that is no recipient, to check
  -- the provider's set-up
  purpose         TEXT NOT NULL DEFAULT 'recipient' CHECK (purpose IN ('recipient', 'audit', 'test')),
  -- the bare, lower-cased address this message goes to ('' for rows from
  -- before 0006 that went to several)
  recipient       TEXT NOT NULL DEFAULT '',
  message_id      TEXT NOT NULL UNIQUE,
  from_addr       TEXT NOT NULL,
  to_addrs        TEXT NOT NULL,           -- JSON array of addresses
  bcc_addrs       TEXT NOT NULL DEFAULT '[]',
  subject         TEXT NOT NULL,
  body_text       TEXT NOT NULL,
  body_html       TEXT NOT NULL DEFAULT '',
  figures         TEXT NOT NULL DEFAULT '[]',
  -- queued -> sending -> sent | failed | uncertain; then, from the
  -- provider's events, sent -> delivered | bounced | complained. A
  -- suppressed message was never tried: its address bounced or
  -- complained before.
  status          TEXT NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'uncertain',
                    'delivered', 'bounced', 'complained', 'suppressed')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  maybe_delivered INTEGER NOT NULL DEFAULT 0 CHECK (maybe_delivered IN (0, 1)),
  next_attempt_at TEXT NOT NULL,
  last_error      TEXT NOT NULL DEFAULT '',
  provider_id     TEXT NOT NULL DEFAULT '',
  -- the last provider event's diagnostic (bounce type and SMTP status,
  -- complaint feedback, delay reason) and when it happened
  event_detail    TEXT NOT NULL DEFAULT '',
  event_at        TEXT,
  created_at      TEXT NOT NULL,
  updated_at      TEXT NOT NULL,
  sent_at         TEXT
) STRICT;

INSERT INTO outbox_new (id, batch_id, kind, report_role, purpose, recipient, message_id, from_addr, to_addrs, bcc_addrs, subject,
  body_text, body_html, figures, status, attempts, maybe_delivered, next_attempt_at, last_error, provider_id, created_at, updated_at, sent_at)
SELECT id, batch_id, kind, report_role, 'recipient', '', message_id, from_addr, to_addrs, bcc_addrs, subject,
  body_text, body_html, figures, status, attempts, maybe_delivered, next_attempt_at, last_error, provider_id, created_at, updated_at, sent_at
FROM outbox;

DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_due ON outbox (status, next_attempt_at, id);
CREATE INDEX outbox_by_batch ON outbox (batch_id);
CREATE INDEX outbox_sent_by_role ON outbox (report_role, status, sent_at);
CREATE INDEX outbox_by_provider_id ON outbox (provider_id) WHERE provider_id != '';
CREATE INDEX outbox_by_recipient ON outbox (recipient, status);

-- Addresses later batches skip: a hard bounce or a complaint puts one
-- here by itself; the operator adds and removes them too.
CREATE TABLE suppressions (
  address    TEXT PRIMARY KEY,   -- bare and lower-cased
  reason     TEXT NOT NULL CHECK (reason IN ('bounce', 'complaint', 'manual')),
  detail     TEXT NOT NULL DEFAULT '',
  outbox_id  INTEGER REFERENCES outbox(id) ON DELETE SET NULL,
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL
) STRICT;
