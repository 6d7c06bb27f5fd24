-- One decision (`explain`).
SELECT id, beneficiary_id, kind, decided_on, period_start, notified_on, appeal_info_complete, withdrawn_on
FROM decisions
WHERE id = :decision_id
