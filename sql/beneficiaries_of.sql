-- The beneficiaries of a batch of windows (:ids expands to a bound list).
SELECT id, full_name, email, language, judicial_district, advisor_id
FROM beneficiaries
WHERE id IN :ids
