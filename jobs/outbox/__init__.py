"""The outbox: every message goes out exactly once, and nothing due is lost silently.

The promise, and how each step keeps it (docs/exactly-once.md tells it at length):

1. **Plan** (`jobs.outbox.plan`): tonight's due stages (`jobs.due`) become ledger rows (queued, skipped or
   unreachable) and rendered messages, each with a Message-ID derived from what it is (`jobs.outbox.ids`): the
   same stage always gives the same Message-ID.
2. **Write** (`jobs.outbox.queue`): the messages (pending) and the ledger rows in one transaction, each with
   INSERT ... ON CONFLICT DO NOTHING on its unique key. Committed: all of it is recorded; not committed: none
   of it, and the next run plans the same stages again. A key in the ledger is never acted on again, but a
   reminder superseded unsent because its window closed, open again with the same deadline: re-armed (same
   row, same Message-ID; `jobs.due`, `jobs.outbox.queue.rearm`).
3. **Settle** (`jobs.outbox.settle`), in that same transaction: what an outage held is checked against
   tonight's windows; superseded or expired when no longer true, rendered again (same Message-ID) when it is.
4. **Claim** (`jobs.outbox.delivery`): a conditional UPDATE pending -> sending, with the worker's name and a
   lease, for a batch of messages in one transaction (RETURNING what the send needs: nothing is read again);
   each message is ours only if the update changed its row, so two workers or two processes never both hold
   it. A claim whose lease ran out, or whose worker is known dead, may be taken over.
5. **Send** through the channel (`notifiers`), one message at a time, past `not_after` never: expired instead.
6. **Record** every attempt (`aw_attempts`) and the outcome, only while the claim is still ours: sent, failed
   for good, or pending again (transient), committed before the next message is sent. The breaker stops a
   pass when the relay, not the messages, is the trouble, and puts back what it refused alike.
7. **Workers** (`run_workers`): one pass in id order, as many threads as asked, each with its own connection.

What can go out twice, and only that: the one message in flight when its worker dies after the relay took it
and before the outcome was recorded (its claim turns stale and it is sent again). Because each record is
committed before the next send, a worker never has more than that one message sent and unrecorded; the
messages it had claimed ahead and not yet sent go out once, after their claim turns stale. And a live worker's claim
taken over after its lease ran out (a lost claim: logged, and the run exits 1). Every copy carries the same
Message-ID. Nothing due is dropped without a trace: it is sent, or recorded as skipped, unreachable, failed,
expired or superseded, and the supervisors' report lists every family that was not told.
"""
