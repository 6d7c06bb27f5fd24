-- The beneficiaries' phone numbers, for a batch of ids (:ids expands to a bound list). An optional column (contract 2026-11):
-- read only when the fund's table or view has it (jobs.inputs.optional_columns checks once per run).
SELECT id, phone
FROM beneficiaries
WHERE id IN :ids
