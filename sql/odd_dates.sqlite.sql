-- SQLite only (dates are text there): the decisions whose own dates, or whose complaints' dates, are text
-- that is not an ISO date (blank, '10/03/2025', ...). The nightly scan's range tests cannot see such rows,
-- so they are read here as well, for validation to report them instead of letting them vanish.
-- PostgreSQL's DATE columns cannot hold these. Two branches that partition the rows (the second takes only
-- rows the first does not: IS NOT TRUE, since a NULL date makes the first test NULL), each found through a
-- partial index init-db creates (sql/schema/contract_indexes.sqlite.sql: the same WHERE, term for term), so
-- a history of millions of well-formed rows is not read; on a view without those indexes, a full read.
SELECT d.id, d.beneficiary_id, d.kind, d.decided_on, d.period_start, d.notified_on,
       d.appeal_info_complete, d.withdrawn_on
FROM decisions AS d
WHERE d.decided_on NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*'
   OR (d.notified_on IS NOT NULL AND d.notified_on NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*')
   OR (d.withdrawn_on IS NOT NULL AND d.withdrawn_on NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*')
   OR (d.period_start IS NOT NULL AND d.period_start NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*')
UNION ALL
SELECT d.id, d.beneficiary_id, d.kind, d.decided_on, d.period_start, d.notified_on,
       d.appeal_info_complete, d.withdrawn_on
FROM decisions AS d
WHERE (d.decided_on NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*'
       OR (d.notified_on IS NOT NULL AND d.notified_on NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*')
       OR (d.withdrawn_on IS NOT NULL AND d.withdrawn_on NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*')
       OR (d.period_start IS NOT NULL AND d.period_start NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*')) IS NOT TRUE
  AND d.id IN (
       SELECT c.decision_id
       FROM complaints AS c
       WHERE c.filed_on NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*'
          OR (c.closed_on IS NOT NULL AND c.closed_on NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*')
  )
