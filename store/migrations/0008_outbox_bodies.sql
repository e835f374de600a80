-- 0008: a report's bodies once per batch, not once per recipient.
--
-- With one message per recipient, a report to 200 people would otherwise
-- keep 200 copies of the same text and HTML (some 60 KB each for the CEO
-- report), growing the database and its replica by megabytes a send. A
-- message's bodies are now a row here that every message of its report in
-- the batch points to; rows from before keep theirs inline.

CREATE TABLE outbox_bodies (
  id        INTEGER PRIMARY KEY,
  batch_id  INTEGER NOT NULL REFERENCES outbox_batches(id) ON DELETE CASCADE,
  body_text TEXT NOT NULL,
  body_html TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX outbox_bodies_by_batch ON outbox_bodies (batch_id);

ALTER TABLE outbox ADD COLUMN body_id INTEGER REFERENCES outbox_bodies(id);
