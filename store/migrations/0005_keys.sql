-- 0005: a stable key for every record that has no natural one, so a
-- person can name it on the command line and a portfolio file can say
-- which row it means. Rows from before get their kind and id; new rows get
-- a slug of their title (store.newKey).

ALTER TABLE shortfalls ADD COLUMN key TEXT NOT NULL DEFAULT '';
UPDATE shortfalls SET key = 'shortfall-' || id;
CREATE UNIQUE INDEX shortfalls_by_key ON shortfalls (key);

ALTER TABLE actions ADD COLUMN key TEXT NOT NULL DEFAULT '';
UPDATE actions SET key = 'action-' || id;
CREATE UNIQUE INDEX actions_by_key ON actions (key);

ALTER TABLE cost_lines ADD COLUMN key TEXT NOT NULL DEFAULT '';
UPDATE cost_lines SET key = 'cost-' || id;
CREATE UNIQUE INDEX cost_lines_by_key ON cost_lines (key);

ALTER TABLE capital_tiers ADD COLUMN key TEXT NOT NULL DEFAULT '';
UPDATE capital_tiers SET key = 'tier-' || id;
CREATE UNIQUE INDEX capital_tiers_by_key ON capital_tiers (key);

ALTER TABLE financial_rules ADD COLUMN key TEXT NOT NULL DEFAULT '';
UPDATE financial_rules SET key = 'rule-' || id;
CREATE UNIQUE INDEX financial_rules_by_key ON financial_rules (key);

ALTER TABLE findings ADD COLUMN key TEXT NOT NULL DEFAULT '';
UPDATE findings SET key = 'finding-' || id;
CREATE UNIQUE INDEX findings_by_key ON findings (key);

ALTER TABLE dev_gaps ADD COLUMN key TEXT NOT NULL DEFAULT '';
UPDATE dev_gaps SET key = 'gap-' || id;
CREATE UNIQUE INDEX dev_gaps_by_key ON dev_gaps (key);

ALTER TABLE recognition_gaps ADD COLUMN key TEXT NOT NULL DEFAULT '';
UPDATE recognition_gaps SET key = 'gap-' || id;
CREATE UNIQUE INDEX recognition_gaps_by_key ON recognition_gaps (key);

ALTER TABLE milestones ADD COLUMN key TEXT NOT NULL DEFAULT '';
UPDATE milestones SET key = 'milestone-' || id;
CREATE UNIQUE INDEX milestones_by_key ON milestones (key);

ALTER TABLE channel_tasks ADD COLUMN key TEXT NOT NULL DEFAULT '';
UPDATE channel_tasks SET key = 'task-' || id;
CREATE UNIQUE INDEX channel_tasks_by_key ON channel_tasks (channel_id, key);

ALTER TABLE events ADD COLUMN key TEXT NOT NULL DEFAULT '';
UPDATE events SET key = 'event-' || id;
CREATE UNIQUE INDEX events_by_key ON events (key);

ALTER TABLE checklist_items ADD COLUMN key TEXT NOT NULL DEFAULT '';
UPDATE checklist_items SET key = 'item-' || id;
CREATE UNIQUE INDEX checklist_items_by_key ON checklist_items (phase_id, key);
