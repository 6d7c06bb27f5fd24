-- Indexes that serve the nightly scan (sql/scan_decisions.sql). In production, put the same on the
-- fund's underlying tables.
CREATE INDEX IF NOT EXISTS ix_decisions_notified_on ON decisions (notified_on);
CREATE INDEX IF NOT EXISTS ix_appeals_decision_id ON appeals (decision_id);
CREATE INDEX IF NOT EXISTS ix_complaints_decision_id ON complaints (decision_id);
CREATE INDEX IF NOT EXISTS ix_complaints_closed_on ON complaints (closed_on);
