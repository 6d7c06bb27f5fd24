-- The appeals of a batch of decisions (:ids expands to a bound list).
SELECT id, decision_id, forum, filed_on
FROM appeals
WHERE decision_id IN :ids
ORDER BY decision_id, filed_on, id
