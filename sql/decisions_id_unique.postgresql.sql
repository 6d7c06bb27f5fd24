-- Whether `decisions`, as the queries find it on the search path, has a unique index on `id` alone that is
-- valid, immediate and not partial (the primary key of the contract's table): then no id is on two rows and
-- sql/duplicate_decisions.sql cannot find one, so jobs.inputs.read_decisions leaves that read out (on 1M
-- decisions it cost PostgreSQL 0.3 s: a probe and a count for each of the scan's 100,000 ids). A view has no
-- index: its copies are still read. One row: the count of such indexes (0 or more).
SELECT count(*)
FROM pg_index AS i
JOIN pg_attribute AS a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
WHERE i.indrelid = to_regclass('decisions')
  AND i.indisunique
  AND i.indisvalid
  AND i.indimmediate
  AND i.indpred IS NULL
  AND i.indexprs IS NULL
  AND i.indnkeyatts = 1
  AND a.attname = 'id'
