-- 0003: report schedules, their runs, and leases that let one process of
-- several (a console and `opsdeck serve` on the same file) run the
-- scheduler and the outbox worker.

CREATE TABLE schedules (
  report_role   TEXT PRIMARY KEY CHECK (report_role IN ('ceo', 'cto', 'cmo', 'cfo', 'accounting')),
  cron          TEXT NOT NULL,
  time_zone     TEXT NOT NULL,
  weekdays_only INTEGER NOT NULL DEFAULT 0 CHECK (weekdays_only IN (0, 1)),
  enabled       INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
  updated_at    TEXT NOT NULL
) STRICT;

-- One row per scheduled slot that was acted on. The UNIQUE key is what makes
-- "never twice" hold across restarts and across processes.
CREATE TABLE schedule_runs (
  id          INTEGER PRIMARY KEY,
  report_role TEXT NOT NULL,
  slot        TEXT NOT NULL,
  trigger     TEXT NOT NULL CHECK (trigger IN ('schedule', 'catch_up', 'manual')),
  started_at  TEXT NOT NULL,
  finished_at TEXT,
  status      TEXT NOT NULL CHECK (status IN ('running', 'ok', 'failed', 'skipped')),
  batch_id    INTEGER,
  error       TEXT NOT NULL DEFAULT '',
  UNIQUE (report_role, slot)
) STRICT;
CREATE INDEX schedule_runs_by_role ON schedule_runs (report_role, slot);

CREATE TABLE leases (
  name       TEXT PRIMARY KEY,
  holder     TEXT NOT NULL,
  expires_at TEXT NOT NULL
) STRICT;
