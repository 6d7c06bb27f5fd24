-- Every decision (`windows --all`): the columns of shared/contract.md section 1, nothing else.
SELECT id, beneficiary_id, kind, decided_on, period_start, notified_on, appeal_info_complete, withdrawn_on
FROM decisions
ORDER BY id
