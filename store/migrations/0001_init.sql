-- 0001: the portfolio model. Money is stored in integer cents so sums and
-- break-even arithmetic are exact; times are RFC 3339 UTC text, dates are
-- YYYY-MM-DD text.

CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;

CREATE TABLE entities (
  id          INTEGER PRIMARY KEY,
  code        TEXT NOT NULL UNIQUE COLLATE NOCASE,
  name        TEXT NOT NULL,
  kind        TEXT NOT NULL CHECK (kind IN ('operating', 'ancillary')),
  description TEXT NOT NULL DEFAULT '',
  position    INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE people (
  id    INTEGER PRIMARY KEY,
  name  TEXT NOT NULL,
  email TEXT NOT NULL UNIQUE COLLATE NOCASE,
  phone TEXT NOT NULL DEFAULT '',
  title TEXT NOT NULL DEFAULT '',
  role  TEXT NOT NULL CHECK (role IN ('admin', 'captain', 'crew', 'guest'))
) STRICT;

CREATE TABLE report_recipients (
  report_role TEXT NOT NULL CHECK (report_role IN ('ceo', 'cto', 'cmo', 'cfo', 'accounting')),
  person_id   INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
  PRIMARY KEY (report_role, person_id)
) STRICT;

CREATE TABLE kpis (
  id         INTEGER PRIMARY KEY,
  entity_id  INTEGER NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
  key        TEXT NOT NULL COLLATE NOCASE,
  name       TEXT NOT NULL,
  unit       TEXT NOT NULL,
  direction  TEXT NOT NULL CHECK (direction IN ('higher', 'lower')),
  target     REAL NOT NULL,
  tolerance  REAL NOT NULL DEFAULT 0.1 CHECK (tolerance >= 0 AND tolerance < 1),
  owner_role TEXT NOT NULL CHECK (owner_role IN ('ceo', 'cto', 'cmo', 'cfo', 'accounting')),
  UNIQUE (entity_id, key)
) STRICT;

CREATE TABLE kpi_readings (
  id       INTEGER PRIMARY KEY,
  kpi_id   INTEGER NOT NULL REFERENCES kpis(id) ON DELETE CASCADE,
  value    REAL NOT NULL,
  taken_at TEXT NOT NULL,
  note     TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX kpi_readings_by_kpi ON kpi_readings (kpi_id, taken_at);

CREATE TABLE shortfalls (
  id                   INTEGER PRIMARY KEY,
  entity_id            INTEGER REFERENCES entities(id) ON DELETE SET NULL,
  title                TEXT NOT NULL,
  detail               TEXT NOT NULL DEFAULT '',
  owner_role           TEXT NOT NULL CHECK (owner_role IN ('ceo', 'cto', 'cmo', 'cfo', 'accounting')),
  severity             TEXT NOT NULL CHECK (severity IN ('critical', 'high', 'medium', 'low')),
  monthly_impact_cents INTEGER NOT NULL CHECK (monthly_impact_cents >= 0),
  effort_days          REAL NOT NULL CHECK (effort_days > 0),
  status               TEXT NOT NULL CHECK (status IN ('open', 'in_progress', 'resolved')),
  opened_on            TEXT NOT NULL,
  resolved_on          TEXT
) STRICT;

-- The 30-day action plan: concrete steps, each usually attacking a shortfall.
CREATE TABLE actions (
  id           INTEGER PRIMARY KEY,
  shortfall_id INTEGER REFERENCES shortfalls(id) ON DELETE SET NULL,
  title        TEXT NOT NULL,
  owner_role   TEXT NOT NULL CHECK (owner_role IN ('ceo', 'cto', 'cmo', 'cfo', 'accounting')),
  person_id    INTEGER REFERENCES people(id) ON DELETE SET NULL,
  due_on       TEXT NOT NULL,
  status       TEXT NOT NULL CHECK (status IN ('open', 'done')),
  done_on      TEXT
) STRICT;

CREATE TABLE accounts (
  code        TEXT PRIMARY KEY,
  name        TEXT NOT NULL,
  type        TEXT NOT NULL CHECK (type IN ('asset', 'liability', 'equity', 'income', 'expense')),
  parent_code TEXT REFERENCES accounts(code) ON DELETE SET NULL,
  description TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE TABLE cost_lines (
  id           INTEGER PRIMARY KEY,
  entity_id    INTEGER REFERENCES entities(id) ON DELETE SET NULL,
  category     TEXT NOT NULL,
  vendor       TEXT NOT NULL,
  description  TEXT NOT NULL DEFAULT '',
  low_cents    INTEGER NOT NULL CHECK (low_cents >= 0),
  high_cents   INTEGER NOT NULL CHECK (high_cents >= low_cents),
  account_code TEXT REFERENCES accounts(code) ON DELETE SET NULL,
  audit_note   TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE TABLE unit_economics (
  entity_id           INTEGER PRIMARY KEY REFERENCES entities(id) ON DELETE CASCADE,
  unit                TEXT NOT NULL,
  price_cents         INTEGER NOT NULL CHECK (price_cents >= 0),
  variable_cost_cents INTEGER NOT NULL CHECK (variable_cost_cents >= 0),
  -- 'portfolio': this entity's units must carry the whole portfolio burn;
  -- 'entity': only the cost lines attributed to this entity.
  fixed_cost_basis    TEXT NOT NULL CHECK (fixed_cost_basis IN ('portfolio', 'entity'))
) STRICT;

CREATE TABLE revenue_months (
  entity_id    INTEGER NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
  month        TEXT NOT NULL,
  target_cents INTEGER NOT NULL CHECK (target_cents >= 0),
  actual_cents INTEGER CHECK (actual_cents >= 0),
  PRIMARY KEY (entity_id, month)
) STRICT;

CREATE TABLE capital_tiers (
  id          INTEGER PRIMARY KEY,
  position    INTEGER NOT NULL,
  name        TEXT NOT NULL,
  policy      TEXT NOT NULL CHECK (policy IN ('deploy', 'do_not_deploy')),
  max_cents   INTEGER CHECK (max_cents >= 0),
  description TEXT NOT NULL DEFAULT '',
  examples    TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE TABLE financial_rules (
  id        INTEGER PRIMARY KEY,
  position  INTEGER NOT NULL,
  rule      TEXT NOT NULL,
  rationale TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE TABLE channels (
  id               INTEGER PRIMARY KEY,
  entity_id        INTEGER NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
  name             TEXT NOT NULL,
  kind             TEXT NOT NULL CHECK (kind IN ('email', 'ota', 'social', 'seo', 'web', 'referral', 'ads')),
  status           TEXT NOT NULL CHECK (status IN ('none', 'planned', 'in_progress', 'live', 'paused')),
  audience_size    INTEGER CHECK (audience_size >= 0),
  sequence         INTEGER CHECK (sequence > 0),
  value_low_cents  INTEGER NOT NULL DEFAULT 0 CHECK (value_low_cents >= 0),
  value_high_cents INTEGER NOT NULL DEFAULT 0 CHECK (value_high_cents >= value_low_cents),
  notes            TEXT NOT NULL DEFAULT '',
  UNIQUE (entity_id, name)
) STRICT;

CREATE TABLE channel_tasks (
  id         INTEGER PRIMARY KEY,
  channel_id INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
  position   INTEGER NOT NULL,
  title      TEXT NOT NULL,
  due_on     TEXT,
  done_on    TEXT
) STRICT;

CREATE TABLE findings (
  id                   INTEGER PRIMARY KEY,
  entity_id            INTEGER REFERENCES entities(id) ON DELETE SET NULL,
  stack                TEXT NOT NULL,
  category             TEXT NOT NULL CHECK (category IN ('security', 'performance', 'cost', 'reliability')),
  severity             TEXT NOT NULL CHECK (severity IN ('critical', 'high', 'medium', 'low')),
  title                TEXT NOT NULL,
  detail               TEXT NOT NULL DEFAULT '',
  remediation          TEXT NOT NULL,
  monthly_saving_cents INTEGER NOT NULL DEFAULT 0 CHECK (monthly_saving_cents >= 0),
  effort_days          REAL NOT NULL CHECK (effort_days > 0),
  status               TEXT NOT NULL CHECK (status IN ('open', 'fixed'))
) STRICT;

CREATE TABLE dev_gaps (
  id       INTEGER PRIMARY KEY,
  position INTEGER NOT NULL,
  title    TEXT NOT NULL,
  detail   TEXT NOT NULL DEFAULT '',
  status   TEXT NOT NULL CHECK (status IN ('missing', 'partial', 'done'))
) STRICT;

CREATE TABLE recognition_gaps (
  id        INTEGER PRIMARY KEY,
  entity_id INTEGER REFERENCES entities(id) ON DELETE SET NULL,
  title     TEXT NOT NULL,
  detail    TEXT NOT NULL DEFAULT '',
  severity  TEXT NOT NULL CHECK (severity IN ('critical', 'high', 'medium', 'low')),
  status    TEXT NOT NULL CHECK (status IN ('open', 'closed'))
) STRICT;

CREATE TABLE milestones (
  id       INTEGER PRIMARY KEY,
  position INTEGER NOT NULL,
  title    TEXT NOT NULL,
  criteria TEXT NOT NULL DEFAULT '',
  due_on   TEXT NOT NULL,
  done_on  TEXT
) STRICT;

CREATE TABLE events (
  id                 INTEGER PRIMARY KEY,
  entity_id          INTEGER NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
  kind               TEXT NOT NULL CHECK (kind IN ('charter', 'event', 'gig', 'job')),
  title              TEXT NOT NULL,
  location           TEXT NOT NULL DEFAULT '',
  departs_at         TEXT NOT NULL,
  time_zone          TEXT NOT NULL,
  duration_minutes   INTEGER NOT NULL CHECK (duration_minutes > 0),
  crew_call_minutes  INTEGER NOT NULL DEFAULT 0 CHECK (crew_call_minutes >= 0),
  boarding_minutes   INTEGER NOT NULL DEFAULT 0 CHECK (boarding_minutes >= 0),
  turnaround_minutes INTEGER NOT NULL DEFAULT 0 CHECK (turnaround_minutes >= 0),
  guests             INTEGER NOT NULL DEFAULT 0 CHECK (guests >= 0),
  status             TEXT NOT NULL CHECK (status IN ('planned', 'confirmed', 'done', 'cancelled')),
  notes              TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX events_by_departure ON events (departs_at);

CREATE TABLE event_crew (
  event_id  INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
  person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
  role      TEXT NOT NULL CHECK (role IN ('captain', 'crew', 'guest')),
  PRIMARY KEY (event_id, person_id)
) STRICT;

CREATE TABLE checklist_phases (
  id            INTEGER PRIMARY KEY,
  event_id      INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
  name          TEXT NOT NULL,
  position      INTEGER NOT NULL,
  signed_off_by INTEGER REFERENCES people(id) ON DELETE SET NULL,
  signed_off_at TEXT,
  UNIQUE (event_id, name)
) STRICT;

CREATE TABLE checklist_items (
  id            INTEGER PRIMARY KEY,
  phase_id      INTEGER NOT NULL REFERENCES checklist_phases(id) ON DELETE CASCADE,
  title         TEXT NOT NULL,
  required_role TEXT NOT NULL CHECK (required_role IN ('captain', 'crew')),
  position      INTEGER NOT NULL,
  mandatory     INTEGER NOT NULL DEFAULT 0 CHECK (mandatory IN (0, 1)),
  note          TEXT NOT NULL DEFAULT '',
  claimed_by    INTEGER REFERENCES people(id) ON DELETE SET NULL,
  claimed_at    TEXT,
  done_by       INTEGER REFERENCES people(id) ON DELETE SET NULL,
  done_at       TEXT
) STRICT;
CREATE INDEX checklist_items_by_phase ON checklist_items (phase_id, position);

CREATE TABLE audit_log (
  id           INTEGER PRIMARY KEY,
  at           TEXT NOT NULL,
  actor        TEXT NOT NULL,
  action       TEXT NOT NULL,
  subject_type TEXT NOT NULL,
  subject_id   INTEGER,
  details      TEXT NOT NULL DEFAULT '{}'
) STRICT;
CREATE INDEX audit_log_by_subject ON audit_log (subject_type, subject_id);
