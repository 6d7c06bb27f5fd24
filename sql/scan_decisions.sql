-- The nightly scan: the decisions whose window can still be open, in grace or interrupted on :on.
-- Parameters (deadlines.scan.scan_parameters): :on, :notified_from, :closed_from, :first_day, :last_day (dates;
-- ISO text on SQLite). The bounds and why they lose nothing: deadlines/scan.py. Decisions withdrawn on or
-- before :on are skipped, unless they are not yet notified on :on (not_notified comes first, domain.md, and
-- supervisors must see it) or the row is bad in a way validation reports (deadlines/validate.py: a date
-- before decided_on or outside :first_day..:last_day, a missing or unknown value): every bad row the scan
-- meets is reported, as `windows --all` reports it, never dropped unseen. These are tests on the row itself,
-- after the index has found it: they change nothing in how the rows are found.
--
-- Four branches joined by UNION (which also removes the duplicates), rather than one WHERE with ORs: each
-- branch is a plain range or equality that an index serves on SQLite and PostgreSQL alike
-- (ix_decisions_notified_on; ix_complaints_closed_on, then the decisions primary key), where an OR across two
-- tables would make either planner read all of decisions. The complaints' decisions are a subquery, `IN
-- (SELECT ...)`, which PostgreSQL takes as `= ANY(ARRAY(SELECT ...))` (jobs.inputs): the few thousand ids
-- made once, then looked up one by one in the primary key; as a join, its planner hashed them against the
-- whole of decisions read end to end (a third of the 1M scan's time), which SQLite never did.
--   1. notified on or after :notified_from (including notifications after :on: not_notified yet);
--   2. never notified: no window yet, a data problem the supervisors must see;
--   3. a complaint still open (closed_on NULL): the window may be interrupted;
--   4. a complaint closed on or after :closed_from: its restarted term may still run.
-- No ORDER BY: SQLite would then read decisions in id order (a full scan) to merge the branches; the caller
-- sorts if it cares. Appeals and complaints are then fetched by the caller for the ids scanned here.
SELECT d.id, d.beneficiary_id, d.kind, d.decided_on, d.period_start, d.notified_on,
       d.appeal_info_complete, d.withdrawn_on
FROM decisions AS d
WHERE d.notified_on >= :notified_from
  AND (d.withdrawn_on IS NULL OR d.withdrawn_on > :on OR d.notified_on > :on
       OR d.withdrawn_on < d.decided_on OR d.notified_on < d.decided_on
       OR d.decided_on IS NULL OR d.decided_on NOT BETWEEN :first_day AND :last_day
       OR d.notified_on NOT BETWEEN :first_day AND :last_day
       OR d.withdrawn_on NOT BETWEEN :first_day AND :last_day
       OR d.period_start NOT BETWEEN :first_day AND :last_day
       OR d.id IS NULL OR d.beneficiary_id IS NULL OR d.appeal_info_complete IS NULL OR d.kind IS NULL
       OR d.kind NOT IN ('payment', 'care_allowance', 'beneficiary_designation', 'arbitration_ruling'))
UNION
SELECT d.id, d.beneficiary_id, d.kind, d.decided_on, d.period_start, d.notified_on,
       d.appeal_info_complete, d.withdrawn_on
FROM decisions AS d
WHERE d.notified_on IS NULL
UNION
SELECT d.id, d.beneficiary_id, d.kind, d.decided_on, d.period_start, d.notified_on,
       d.appeal_info_complete, d.withdrawn_on
FROM decisions AS d
WHERE d.id IN (SELECT c.decision_id FROM complaints AS c WHERE c.closed_on IS NULL)
  AND (d.withdrawn_on IS NULL OR d.withdrawn_on > :on
       OR d.withdrawn_on < d.decided_on OR d.notified_on < d.decided_on
       OR d.decided_on IS NULL OR d.decided_on NOT BETWEEN :first_day AND :last_day
       OR d.notified_on NOT BETWEEN :first_day AND :last_day
       OR d.withdrawn_on NOT BETWEEN :first_day AND :last_day
       OR d.period_start NOT BETWEEN :first_day AND :last_day
       OR d.id IS NULL OR d.beneficiary_id IS NULL OR d.appeal_info_complete IS NULL OR d.kind IS NULL
       OR d.kind NOT IN ('payment', 'care_allowance', 'beneficiary_designation', 'arbitration_ruling'))
UNION
SELECT d.id, d.beneficiary_id, d.kind, d.decided_on, d.period_start, d.notified_on,
       d.appeal_info_complete, d.withdrawn_on
FROM decisions AS d
WHERE d.id IN (SELECT c.decision_id FROM complaints AS c WHERE c.closed_on >= :closed_from)
  AND (d.withdrawn_on IS NULL OR d.withdrawn_on > :on
       OR d.withdrawn_on < d.decided_on OR d.notified_on < d.decided_on
       OR d.decided_on IS NULL OR d.decided_on NOT BETWEEN :first_day AND :last_day
       OR d.notified_on NOT BETWEEN :first_day AND :last_day
       OR d.withdrawn_on NOT BETWEEN :first_day AND :last_day
       OR d.period_start NOT BETWEEN :first_day AND :last_day
       OR d.id IS NULL OR d.beneficiary_id IS NULL OR d.appeal_info_complete IS NULL OR d.kind IS NULL
       OR d.kind NOT IN ('payment', 'care_allowance', 'beneficiary_designation', 'arbitration_ruling'))
