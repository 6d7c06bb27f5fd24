-- SQLite only (dates are text there): partial indexes holding just the rows whose dates are not ISO text, so
-- that sql/odd_dates.sqlite.sql finds them without reading every decision and complaint of the fund's
-- history (a table that holds none keeps an empty index). Their WHERE clauses are those of the query, term
-- for term: SQLite uses a partial index only for a query whose WHERE implies the index's.
CREATE INDEX IF NOT EXISTS ix_decisions_odd_dates ON decisions (id)
WHERE decided_on NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*'
   OR (notified_on IS NOT NULL AND notified_on NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*')
   OR (withdrawn_on IS NOT NULL AND withdrawn_on NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*')
   OR (period_start IS NOT NULL AND period_start NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*');
CREATE INDEX IF NOT EXISTS ix_complaints_odd_dates ON complaints (decision_id)
WHERE filed_on NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*'
   OR (closed_on IS NOT NULL AND closed_on NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*');
