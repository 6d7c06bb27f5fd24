-- The changes the ledger of corrections already has for a batch of decisions (:ids expands to a bound list):
-- a key in it is never acted on again (jobs.corrections.due_corrections).
SELECT decision_id, forum, recipient_id, old_deadline, new_deadline
FROM aw_corrections
WHERE decision_id IN :ids
  AND recipient_kind = 'beneficiary'
