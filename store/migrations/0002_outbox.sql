-- 0002: the outbox. A batch of report emails is written here, whole, in one
-- transaction before anything is sent; the worker then moves each message
-- queued -> sending -> sent | failed. A message left 'sending' by a process
-- that died becomes 'uncertain' and waits for the operator.

CREATE TABLE outbox_batches (
  id         INTEGER PRIMARY KEY,
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL,
  reason     TEXT NOT NULL DEFAULT '',
  transport  TEXT NOT NULL
) STRICT;

CREATE TABLE outbox (
  id              INTEGER PRIMARY KEY,
  batch_id        INTEGER NOT NULL REFERENCES outbox_batches(id) ON DELETE CASCADE,
  kind            TEXT NOT NULL CHECK (kind IN ('report', 'alert')),
  report_role     TEXT CHECK (report_role IN ('ceo', 'cto', 'cmo', 'cfo', 'accounting')),
  message_id      TEXT NOT NULL UNIQUE,
  from_addr       TEXT NOT NULL,
  to_addrs        TEXT NOT NULL,           -- JSON array of addresses
  bcc_addrs       TEXT NOT NULL DEFAULT '[]',
  subject         TEXT NOT NULL,
  body_text       TEXT NOT NULL,
  body_html       TEXT NOT NULL DEFAULT '',
  figures         TEXT NOT NULL DEFAULT '[]', -- the report's headline figures, for "what changed"
  status          TEXT NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'uncertain')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  -- set when an attempt was cut off after the request may have reached the
  -- provider: a later success may be a duplicate, and giving up leaves the
  -- message uncertain rather than failed
  maybe_delivered INTEGER NOT NULL DEFAULT 0 CHECK (maybe_delivered IN (0, 1)),
  next_attempt_at TEXT NOT NULL,
  last_error      TEXT NOT NULL DEFAULT '',
  provider_id     TEXT NOT NULL DEFAULT '',
  created_at      TEXT NOT NULL,
  updated_at      TEXT NOT NULL,
  sent_at         TEXT
) STRICT;
CREATE INDEX outbox_due ON outbox (status, next_attempt_at, id);
CREATE INDEX outbox_by_batch ON outbox (batch_id);
CREATE INDEX outbox_sent_by_role ON outbox (report_role, status, sent_at);
