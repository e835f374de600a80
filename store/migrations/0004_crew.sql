-- 0004: the crew web. Magic links and refresh tokens are stored only as
-- SHA-256 hashes, so a copy of the database does not let anyone in.

-- A magic link admits one person to one event with one role until it
-- expires or is revoked; a single-use link admits once.
CREATE TABLE crew_links (
  id         INTEGER PRIMARY KEY,
  token_hash BLOB NOT NULL UNIQUE CHECK (length(token_hash) = 32),
  person_id  INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
  event_id   INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
  role       TEXT NOT NULL CHECK (role IN ('admin', 'captain', 'crew', 'guest')),
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  single_use INTEGER NOT NULL DEFAULT 0 CHECK (single_use IN (0, 1)),
  used_at    TEXT,
  revoked_at TEXT
) STRICT;
CREATE INDEX crew_links_by_event ON crew_links (event_id);

-- A session family: everything one link exchange led to. Reusing a
-- refresh token that was already rotated revokes the whole family.
CREATE TABLE crew_sessions (
  id             INTEGER PRIMARY KEY,
  link_id        INTEGER NOT NULL REFERENCES crew_links(id) ON DELETE CASCADE,
  created_at     TEXT NOT NULL,
  revoked_at     TEXT,
  revoked_reason TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX crew_sessions_by_link ON crew_sessions (link_id);

-- Refresh tokens are rotated on every use: used_at marks a token that has
-- been exchanged for its successor and must never be accepted again.
CREATE TABLE crew_refresh_tokens (
  id         INTEGER PRIMARY KEY,
  session_id INTEGER NOT NULL REFERENCES crew_sessions(id) ON DELETE CASCADE,
  token_hash BLOB NOT NULL UNIQUE CHECK (length(token_hash) = 32),
  issued_at  TEXT NOT NULL,
  used_at    TEXT
) STRICT;
CREATE INDEX crew_refresh_tokens_by_session ON crew_refresh_tokens (session_id);

-- The checklist's who-did-what-when log, shown to the captain. Rows are
-- append-only: no UPDATE ever, and no DELETE while their event exists
-- (they go with the event, so a portfolio reset still works). Item ids
-- are not foreign keys and titles are copied, so the log outlives edits.
CREATE TABLE checklist_log (
  id        INTEGER PRIMARY KEY,
  event_id  INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
  at        TEXT NOT NULL,
  person_id INTEGER,
  actor     TEXT NOT NULL,
  action    TEXT NOT NULL,
  phase_id  INTEGER,
  item_id   INTEGER,
  subject   TEXT NOT NULL DEFAULT '',
  detail    TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX checklist_log_by_event ON checklist_log (event_id, id);

CREATE TRIGGER checklist_log_no_update BEFORE UPDATE ON checklist_log
BEGIN
  SELECT RAISE(ABORT, 'the checklist log is append-only');
END;

CREATE TRIGGER checklist_log_no_delete BEFORE DELETE ON checklist_log
WHEN EXISTS (SELECT 1 FROM events WHERE id = OLD.event_id)
BEGIN
  SELECT RAISE(ABORT, 'the checklist log is append-only');
END;
