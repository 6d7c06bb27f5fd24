-- What the last message delivered to a family about a window quoted (jobs.corrections.last_quoted), for a
-- batch of decisions (:ids expands to a bound list): the safe deadline of every reminder sent to a family,
-- then the new deadline of every correction sent, each with its message's sent_at and id (the caller keeps
-- the latest by (sent_at, id) per decision, forum and family; `source` orders a tie as the two reads did:
-- the reminder first).
SELECT r.decision_id, r.forum, r.recipient_id, r.safe_deadline AS deadline, m.sent_at, m.id, 0 AS source
FROM aw_reminders AS r
JOIN aw_messages AS m ON m.id = r.message_pk
WHERE r.decision_id IN :ids
  AND r.recipient_kind = 'beneficiary'
  AND m.kind = 'reminder'
  AND m.status = 'sent'
UNION ALL
SELECT c.decision_id, c.forum, c.recipient_id, c.new_deadline AS deadline, m.sent_at, m.id, 1 AS source
FROM aw_corrections AS c
JOIN aw_messages AS m ON m.id = c.message_pk
WHERE c.decision_id IN :ids
  AND m.status = 'sent'
