-- The correction notices an outage still holds (pending, or claimed: `sending`) or that expired undelivered,
-- for a batch of decisions (:ids expands to a bound list): jobs.outbox.settle.expired_held keeps those whose
-- window expired tonight with the deadline they name.
SELECT c.decision_id, c.forum, c.recipient_kind, c.recipient_id, c.old_deadline, c.new_deadline, c.why,
       c.detail, m.status, m.claimed_by, m.lease_until
FROM aw_messages AS m
JOIN aw_corrections AS c ON c.message_pk = m.id
WHERE m.status IN ('pending', 'sending', 'expired')
  AND m.kind = 'correction'
  AND c.decision_id IN :ids
