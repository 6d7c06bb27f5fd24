-- The references printed on the decision letters, for a batch of ids (:ids expands to a bound list). An optional column (contract 2026-11):
-- read only when the fund's table or view has it (jobs.inputs.optional_columns checks once per run).
SELECT id, reference
FROM decisions
WHERE id IN :ids
