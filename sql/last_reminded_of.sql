-- Per decision and forum of a batch (:ids expands to a bound list): the night of the last reminder delivered
-- to the family (`sent`), whatever deadline it quoted (jobs.corrections.last_reminded).
SELECT r.decision_id, r.forum, max(r.due_on) AS night
FROM aw_reminders AS r
JOIN aw_messages AS m ON m.id = r.message_pk
WHERE r.decision_id IN :ids
  AND r.recipient_kind = 'beneficiary'
  AND m.kind = 'reminder'
  AND m.status = 'sent'
GROUP BY r.decision_id, r.forum
