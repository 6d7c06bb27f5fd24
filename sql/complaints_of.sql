-- The complaints of a batch of decisions (:ids expands to a bound list), in the order they were filed.
SELECT id, decision_id, filed_on, closed_on
FROM complaints
WHERE decision_id IN :ids
ORDER BY decision_id, filed_on, id
