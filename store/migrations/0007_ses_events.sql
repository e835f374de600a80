-- 0007: what SES said about the messages it took.
--
-- Every SNS message the crew server's POST /hooks/ses accepted (a
-- delivery, bounce, complaint, reject or delay of a message; an event of
-- a kind opsdeck ignores; a subscription confirmed or ended) is one row,
-- written in the same transaction as what it changed on the outbox row
-- and the suppression list. The SNS MessageId is unique: a message
-- replayed, or delivered twice by SNS, is refused, not applied again.

CREATE TABLE ses_events (
  id             INTEGER PRIMARY KEY,
  sns_message_id TEXT NOT NULL UNIQUE,
  topic_arn      TEXT NOT NULL,
  sns_type       TEXT NOT NULL CHECK (sns_type IN ('Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation')),
  -- SES's eventType or notificationType (Delivery, Bounce, Complaint,
  -- Reject, DeliveryDelay, or one opsdeck ignores, such as Open); '' for
  -- the subscription's own messages and a message that is no SES event
  event_type     TEXT NOT NULL DEFAULT '',
  -- mail.messageId: the provider id of the outbox row it is about
  ses_message_id TEXT NOT NULL DEFAULT '',
  recipients     TEXT NOT NULL DEFAULT '[]',   -- JSON array of the addresses the event names
  hard_bounce    INTEGER NOT NULL DEFAULT 0 CHECK (hard_bounce IN (0, 1)),
  -- the outbox row it matched (NULL: no message of ours has that id)
  outbox_id      INTEGER REFERENCES outbox(id) ON DELETE SET NULL,
  detail         TEXT NOT NULL DEFAULT '',     -- the diagnostic (bounce type and SMTP status, feedback type, ...)
  outcome        TEXT NOT NULL DEFAULT '',     -- what opsdeck did with it, in words
  occurred_at    TEXT,                         -- when it happened, by SES
  received_at    TEXT NOT NULL,
  raw            TEXT NOT NULL DEFAULT ''      -- the notification's Message as SNS carried it
) STRICT;

CREATE INDEX ses_events_by_outbox ON ses_events (outbox_id, id) WHERE outbox_id IS NOT NULL;
CREATE INDEX ses_events_by_ses_message ON ses_events (ses_message_id) WHERE ses_message_id != '';
