-- 0009: a change log the console reads instead of reloading everything.
--
-- SQLite's data_version says only that another connection committed; a
-- console beside serve saw it move on every lease renewal, replication
-- checkpoint and outbox step, and read the whole portfolio again (some
-- 90 ms on 10,000 events). Triggers on every table a reader shows now
-- note which area, and which event or KPI, each write touched, under a
-- sequence number that only grows: a reader asks what changed since the
-- number it last saw and reads only that. One row per (area, key), so the
-- log stays as small as the portfolio however long serve runs.
--
-- Tables no reader shows are left out on purpose (store/changes.go lists
-- them): leases, crew refresh tokens (rotated by the crew server as
-- phones refresh; a revoke goes through the session), and outbox bodies,
-- which are written with their outbox rows. So are two written beside a
-- watched table: the audit log (with the change it records; a lease
-- taken over is the one exception, and it shows at the next change) and
-- the checklist log (with its item or phase). A trigger costs a write
-- some 30 µs, most of it compiling the trigger with the statement, and
-- these two would have tripled what a crew member's claim pays.

CREATE TABLE changes (
  area TEXT NOT NULL,
  key  INTEGER NOT NULL,
  seq  INTEGER NOT NULL,
  PRIMARY KEY (area, key)
) STRICT;
CREATE INDEX changes_by_seq ON changes (seq);

-- meta
CREATE TRIGGER meta_changed_insert AFTER INSERT ON meta BEGIN
  INSERT INTO changes (area, key, seq) SELECT CASE NEW.key WHEN 'portfolio_name' THEN 'portfolio' WHEN 'replica_status' THEN 'replica' ELSE 'meta' END, 0, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER meta_changed_update AFTER UPDATE ON meta BEGIN
  INSERT INTO changes (area, key, seq) SELECT CASE NEW.key WHEN 'portfolio_name' THEN 'portfolio' WHEN 'replica_status' THEN 'replica' ELSE 'meta' END, 0, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
  -- a key renamed leaves its old area changed too
  INSERT INTO changes (area, key, seq) SELECT CASE OLD.key WHEN 'portfolio_name' THEN 'portfolio' WHEN 'replica_status' THEN 'replica' ELSE 'meta' END, 0, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER meta_changed_delete AFTER DELETE ON meta BEGIN
  INSERT INTO changes (area, key, seq) SELECT CASE OLD.key WHEN 'portfolio_name' THEN 'portfolio' WHEN 'replica_status' THEN 'replica' ELSE 'meta' END, 0, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;

-- entities
CREATE TRIGGER entities_changed_insert AFTER INSERT ON entities BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'entity', NEW.id, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER entities_changed_update AFTER UPDATE ON entities BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'entity', NEW.id, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER entities_changed_delete AFTER DELETE ON entities BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'entity', OLD.id, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;

-- people
CREATE TRIGGER people_changed_insert AFTER INSERT ON people BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'portfolio', 0, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER people_changed_update AFTER UPDATE ON people BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'portfolio', 0, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER people_changed_delete AFTER DELETE ON people BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'portfolio', 0, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;

-- report_recipients
CREATE TRIGGER report_recipients_changed_insert AFTER INSERT ON report_recipients BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'portfolio', 0, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER report_recipients_changed_update AFTER UPDATE ON report_recipients BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'portfolio', 0, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER report_recipients_changed_delete AFTER DELETE ON report_recipients BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'portfolio', 0, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;

-- kpis
CREATE TRIGGER kpis_changed_insert AFTER INSERT ON kpis BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'kpi', NEW.id, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER kpis_changed_update AFTER UPDATE ON kpis BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'kpi', NEW.id, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER kpis_changed_delete AFTER DELETE ON kpis BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'kpi', OLD.id, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;

-- kpi_readings
CREATE TRIGGER kpi_readings_changed_insert AFTER INSERT ON kpi_readings BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'kpi', NEW.kpi_id, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER kpi_readings_changed_update AFTER UPDATE ON kpi_readings BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'kpi', NEW.kpi_id, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
  INSERT INTO changes (area, key, seq) SELECT 'kpi', OLD.kpi_id, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER kpi_readings_changed_delete AFTER DELETE ON kpi_readings BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'kpi', OLD.kpi_id, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;

-- shortfalls
CREATE TRIGGER shortfalls_changed_insert AFTER INSERT ON shortfalls BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'portfolio', 0, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER shortfalls_changed_update AFTER UPDATE ON shortfalls BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'portfolio', 0, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER shortfalls_changed_delete AFTER DELETE ON shortfalls BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'portfolio', 0, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;

-- actions
CREATE TRIGGER actions_changed_insert AFTER INSERT ON actions BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'portfolio', 0, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER actions_changed_update AFTER UPDATE ON actions BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'portfolio', 0, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER actions_changed_delete AFTER DELETE ON actions BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'portfolio', 0, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;

-- accounts
CREATE TRIGGER accounts_changed_insert AFTER INSERT ON accounts BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'portfolio', 0, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER accounts_changed_update AFTER UPDATE ON accounts BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'portfolio', 0, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER accounts_changed_delete AFTER DELETE ON accounts BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'portfolio', 0, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;

-- cost_lines
CREATE TRIGGER cost_lines_changed_insert AFTER INSERT ON cost_lines BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'portfolio', 0, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER cost_lines_changed_update AFTER UPDATE ON cost_lines BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'portfolio', 0, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER cost_lines_changed_delete AFTER DELETE ON cost_lines BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'portfolio', 0, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;

-- unit_economics
CREATE TRIGGER unit_economics_changed_insert AFTER INSERT ON unit_economics BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'portfolio', 0, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER unit_economics_changed_update AFTER UPDATE ON unit_economics BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'portfolio', 0, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER unit_economics_changed_delete AFTER DELETE ON unit_economics BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'portfolio', 0, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;

-- revenue_months
CREATE TRIGGER revenue_months_changed_insert AFTER INSERT ON revenue_months BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'portfolio', 0, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER revenue_months_changed_update AFTER UPDATE ON revenue_months BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'portfolio', 0, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER revenue_months_changed_delete AFTER DELETE ON revenue_months BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'portfolio', 0, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;

-- capital_tiers
CREATE TRIGGER capital_tiers_changed_insert AFTER INSERT ON capital_tiers BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'portfolio', 0, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER capital_tiers_changed_update AFTER UPDATE ON capital_tiers BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'portfolio', 0, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER capital_tiers_changed_delete AFTER DELETE ON capital_tiers BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'portfolio', 0, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;

-- financial_rules
CREATE TRIGGER financial_rules_changed_insert AFTER INSERT ON financial_rules BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'portfolio', 0, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER financial_rules_changed_update AFTER UPDATE ON financial_rules BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'portfolio', 0, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER financial_rules_changed_delete AFTER DELETE ON financial_rules BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'portfolio', 0, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;

-- channels
CREATE TRIGGER channels_changed_insert AFTER INSERT ON channels BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'portfolio', 0, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER channels_changed_update AFTER UPDATE ON channels BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'portfolio', 0, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER channels_changed_delete AFTER DELETE ON channels BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'portfolio', 0, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;

-- channel_tasks
CREATE TRIGGER channel_tasks_changed_insert AFTER INSERT ON channel_tasks BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'portfolio', 0, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER channel_tasks_changed_update AFTER UPDATE ON channel_tasks BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'portfolio', 0, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER channel_tasks_changed_delete AFTER DELETE ON channel_tasks BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'portfolio', 0, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;

-- findings
CREATE TRIGGER findings_changed_insert AFTER INSERT ON findings BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'portfolio', 0, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER findings_changed_update AFTER UPDATE ON findings BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'portfolio', 0, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER findings_changed_delete AFTER DELETE ON findings BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'portfolio', 0, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;

-- dev_gaps
CREATE TRIGGER dev_gaps_changed_insert AFTER INSERT ON dev_gaps BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'portfolio', 0, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER dev_gaps_changed_update AFTER UPDATE ON dev_gaps BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'portfolio', 0, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER dev_gaps_changed_delete AFTER DELETE ON dev_gaps BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'portfolio', 0, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;

-- recognition_gaps
CREATE TRIGGER recognition_gaps_changed_insert AFTER INSERT ON recognition_gaps BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'portfolio', 0, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER recognition_gaps_changed_update AFTER UPDATE ON recognition_gaps BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'portfolio', 0, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER recognition_gaps_changed_delete AFTER DELETE ON recognition_gaps BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'portfolio', 0, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;

-- milestones
CREATE TRIGGER milestones_changed_insert AFTER INSERT ON milestones BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'portfolio', 0, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER milestones_changed_update AFTER UPDATE ON milestones BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'portfolio', 0, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER milestones_changed_delete AFTER DELETE ON milestones BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'portfolio', 0, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;

-- events
CREATE TRIGGER events_changed_insert AFTER INSERT ON events BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'event', NEW.id, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER events_changed_update AFTER UPDATE ON events BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'event', NEW.id, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER events_changed_delete AFTER DELETE ON events BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'event', OLD.id, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;

-- event_crew
CREATE TRIGGER event_crew_changed_insert AFTER INSERT ON event_crew BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'event', NEW.event_id, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER event_crew_changed_update AFTER UPDATE ON event_crew BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'event', NEW.event_id, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
  INSERT INTO changes (area, key, seq) SELECT 'event', OLD.event_id, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER event_crew_changed_delete AFTER DELETE ON event_crew BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'event', OLD.event_id, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;

-- checklist_phases
CREATE TRIGGER checklist_phases_changed_insert AFTER INSERT ON checklist_phases BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'event', NEW.event_id, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER checklist_phases_changed_update AFTER UPDATE ON checklist_phases BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'event', NEW.event_id, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
  INSERT INTO changes (area, key, seq) SELECT 'event', OLD.event_id, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER checklist_phases_changed_delete AFTER DELETE ON checklist_phases BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'event', OLD.event_id, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;

-- checklist_items
CREATE TRIGGER checklist_items_changed_insert AFTER INSERT ON checklist_items BEGIN
  -- an item names its phase; a phase already gone with its event was noted by that delete
  INSERT INTO changes (area, key, seq) SELECT 'event', p.event_id, (SELECT coalesce(max(seq), 0) + 1 FROM changes)
    FROM checklist_phases p WHERE p.id = NEW.phase_id
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER checklist_items_changed_update AFTER UPDATE ON checklist_items BEGIN
  -- an item names its phase; a phase already gone with its event was noted by that delete
  INSERT INTO changes (area, key, seq) SELECT 'event', p.event_id, (SELECT coalesce(max(seq), 0) + 1 FROM changes)
    FROM checklist_phases p WHERE p.id = NEW.phase_id
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
  -- an item names its phase; a phase already gone with its event was noted by that delete
  INSERT INTO changes (area, key, seq) SELECT 'event', p.event_id, (SELECT coalesce(max(seq), 0) + 1 FROM changes)
    FROM checklist_phases p WHERE p.id = OLD.phase_id
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER checklist_items_changed_delete AFTER DELETE ON checklist_items BEGIN
  -- an item names its phase; a phase already gone with its event was noted by that delete
  INSERT INTO changes (area, key, seq) SELECT 'event', p.event_id, (SELECT coalesce(max(seq), 0) + 1 FROM changes)
    FROM checklist_phases p WHERE p.id = OLD.phase_id
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;

-- crew_links
CREATE TRIGGER crew_links_changed_insert AFTER INSERT ON crew_links BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'crew', NEW.event_id, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER crew_links_changed_update AFTER UPDATE ON crew_links BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'crew', NEW.event_id, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
  INSERT INTO changes (area, key, seq) SELECT 'crew', OLD.event_id, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER crew_links_changed_delete AFTER DELETE ON crew_links BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'crew', OLD.event_id, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;

-- crew_sessions
CREATE TRIGGER crew_sessions_changed_insert AFTER INSERT ON crew_sessions BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'crew', 0, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER crew_sessions_changed_update AFTER UPDATE ON crew_sessions BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'crew', 0, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER crew_sessions_changed_delete AFTER DELETE ON crew_sessions BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'crew', 0, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;

-- outbox_batches
CREATE TRIGGER outbox_batches_changed_insert AFTER INSERT ON outbox_batches BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'outbox', 0, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER outbox_batches_changed_update AFTER UPDATE ON outbox_batches BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'outbox', 0, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER outbox_batches_changed_delete AFTER DELETE ON outbox_batches BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'outbox', 0, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;

-- outbox
CREATE TRIGGER outbox_changed_insert AFTER INSERT ON outbox BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'outbox', 0, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER outbox_changed_update AFTER UPDATE ON outbox BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'outbox', 0, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER outbox_changed_delete AFTER DELETE ON outbox BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'outbox', 0, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;

-- ses_events
CREATE TRIGGER ses_events_changed_insert AFTER INSERT ON ses_events BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'outbox', 0, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER ses_events_changed_update AFTER UPDATE ON ses_events BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'outbox', 0, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER ses_events_changed_delete AFTER DELETE ON ses_events BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'outbox', 0, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;

-- suppressions
CREATE TRIGGER suppressions_changed_insert AFTER INSERT ON suppressions BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'suppression', 0, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER suppressions_changed_update AFTER UPDATE ON suppressions BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'suppression', 0, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER suppressions_changed_delete AFTER DELETE ON suppressions BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'suppression', 0, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;

-- schedules
CREATE TRIGGER schedules_changed_insert AFTER INSERT ON schedules BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'schedule', 0, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER schedules_changed_update AFTER UPDATE ON schedules BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'schedule', 0, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER schedules_changed_delete AFTER DELETE ON schedules BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'schedule', 0, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;

-- schedule_runs
CREATE TRIGGER schedule_runs_changed_insert AFTER INSERT ON schedule_runs BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'schedule', 0, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER schedule_runs_changed_update AFTER UPDATE ON schedule_runs BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'schedule', 0, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER schedule_runs_changed_delete AFTER DELETE ON schedule_runs BEGIN
  INSERT INTO changes (area, key, seq) SELECT 'schedule', 0, coalesce(max(seq), 0) + 1 FROM changes WHERE true
    ON CONFLICT (area, key) DO UPDATE SET seq = excluded.seq;
END;
