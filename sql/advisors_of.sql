-- The advisors of a batch of beneficiaries (:ids expands to a bound list).
SELECT id, full_name, email, language, team
FROM advisors
WHERE id IN :ids
