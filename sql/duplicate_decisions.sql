-- Every copy of the decisions among a batch of scanned ids (:ids expands to a bound list) whose id is on more
-- than one row: the fund's views may have no primary key. The scan's UNION folds identical copies into one,
-- and skips a withdrawn copy, so without this read validation could not see (and report) the duplicate.
-- Found through the decisions primary key (or the view's own index); on a table it never finds a row (on
-- PostgreSQL it is then not run: sql/decisions_id_unique.postgresql.sql).
SELECT id, beneficiary_id, kind, decided_on, period_start, notified_on, appeal_info_complete, withdrawn_on
FROM decisions
WHERE id IN (
    SELECT id
    FROM decisions
    WHERE id IN :ids
    GROUP BY id
    HAVING count(*) > 1
)
