"""Delivery: claim a pending message, send it, record every attempt, mark it. Exactly once.

A message is claimed by a conditional UPDATE that must change exactly one row (pending -> sending, with the
worker's name and a lease; a batch of them in one transaction); only then is it sent, and only then marked
sent, one message at a time. What a pass claimed and did not send when it stops is given back. Two workers, two processes or a
rerun can therefore never both send it. A process killed between send and mark leaves one message in
`sending`: it is taken up again when its lease runs out, or at once when its worker is known dead (same host,
process gone). That single in-flight message is the only one that can ever go out twice.

Here too: the workers (`run_workers`), the breaker that stops a pass when the relay, not the messages, is the
trouble, and the counts a pass returns (`DeliveryStats`).
"""

from __future__ import annotations

import logging
import os
import re
import signal
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import FrameType
from typing import Any

from sqlalchemy import Engine, Integer, and_, bindparam, func, insert, select, update
from sqlalchemy.exc import OperationalError

from jobs.channels import make_notifier, served_channels
from jobs.config import Settings
from jobs.progress import Progress
from jobs.runlog import now_utc
from jobs.store import as_date, attempts, messages
from notifiers import Notifier
from notifiers.base import Attachment, Attempt, OutgoingMessage, TransportError
from notifiers.file import FileNotifier
from notifiers.smtp import without_addresses

log = logging.getLogger("appealwatch.deliver")
CLAIM_BATCH = 50  # messages claimed in one transaction
CIRCUIT_BREAKER = 5  # transient failures in a row that make a pass stop
SAME_REFUSALS = (
    3  # permanent refusals in a row, worded alike, that show the relay (not the recipients) refuses
)


def concerns_one_message(answer: str) -> bool:
    """A refusal about this message alone: no server answer at all (a malformed address found before
    sending), an unknown or full mailbox, a message too big (RFC 3463 5.1.x but the sender's, 5.2.x, 5.3.4)."""
    if not re.match(r"\d{3}\b", answer):
        return True
    words = without_addresses(answer)
    status = re.search(r"\b5\.(\d{1,3})\.(\d{1,3})\b", words)
    if status is not None and (
        (status.group(1) == "1" and status.group(2) not in ("7", "8"))
        or status.group(1) == "2"
        or status.group(0) == "5.3.4"
    ):
        return True
    return answer.startswith("552") or bool(
        re.search(r"user unknown|unknown user|no such user|does not exist|too big|size", words, re.I)
    )


class _Breaker:
    """Stops a pass when the relay, not the messages, is the problem, so that no family loses a stage to it.

    It opens at a channel failure (refused login, TLS, sender, relaying), after CIRCUIT_BREAKER transient
    failures in a row, or when SAME_REFUSALS messages in a row are refused for good with the same answer once
    the addresses are taken out ("Relay access denied" refuses everyone alike): those are put back to pending.
    At the end of a pass, messages that were all refused alike, and were all the pass tried, go back too,
    however few (`finish`). A refusal that concerns one message (unknown address, too big) is never put back.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.is_open = False
        self.transient = 0
        self.refusals: list[tuple[int, str]] = []
        self.alike: list[int] = []  # every message of the pass refused so far, while all were refused alike
        self.wordings: set[str] = set()  # the answers of the pass: a refusal's wording, or "" for the rest
        self.cause = ""  # "unreachable" | "refused" | "": why the pass stopped, for the night's last line
        self.answer = ""  # the last answer that shows the channel's trouble, without addresses

    def record(self, ident: int, outcome: str, answer: str) -> list[int]:
        """Count one outcome; returns the messages to put back to pending (refused by the relay, not for
        their own sake)."""
        with self.lock:
            self.transient = self.transient + 1 if outcome == "deferred" else 0
            if outcome in ("deferred", "channel_failed"):
                self.answer = without_addresses(answer)
            if outcome == "channel_failed":
                self.is_open, self.cause = True, "refused"
            elif self.transient >= CIRCUIT_BREAKER:
                self.is_open, self.cause = True, "unreachable"
            if outcome != "failed" or concerns_one_message(answer):
                self.refusals = []
                self.wordings.add("")
                return []
            wording = without_addresses(answer)
            self.wordings.add(wording)
            self.alike.append(ident)
            if self.refusals and self.refusals[-1][1] != wording:
                self.refusals = []
            self.refusals.append((ident, wording))
            if len(self.refusals) < SAME_REFUSALS:
                return []
            self.is_open, self.cause, self.answer = True, "refused", wording
            ids, self.refusals = [i for i, _ in self.refusals], []
            self.alike = [i for i in self.alike if i not in ids]
            return ids

    def finish(self) -> list[int]:
        """The pass is over: if every message it tried was refused with one same answer, the relay refused
        them, not their recipients (two reminders on a quiet night, the one report mail): put them back."""
        with self.lock:
            if len(self.wordings) != 1 or "" in self.wordings or not self.alike:
                return []
            self.cause, self.answer = "refused", next(iter(self.wordings))
            ids, self.alike = self.alike, []
            return ids


@dataclass
class DeliveryStats:
    sent: int = 0
    failed: int = 0  # permanent: will not be retried
    deferred: int = 0  # transient: still pending, `appealwatch deliver` retries
    expired: int = 0  # its deadline passed before it could go out
    lost_claims: int = 0  # sent, but another worker had taken the message over meanwhile: may repeat
    channel_failed: int = 0  # the channel refused to send at all (login, TLS, sender): the pass stopped
    left_pending: int = 0  # still waiting in the outbox after this pass (stopped, or the relay looked down)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    # Why messages wait (not counts: kept out of as_dict): "unreachable", "refused", "stopped" or "", and the
    # channel's last answer, without addresses.
    cause: str = field(default="", compare=False)
    answer: str = field(default="", compare=False)

    def add(self, outcome: str) -> None:
        with self.lock:
            setattr(self, outcome, getattr(self, outcome) + 1)

    def merge(self, other: DeliveryStats) -> None:
        """Add another pass's counts; what is left pending is counted afresh by the caller, over all kinds."""
        for name, count in other.as_dict().items():
            if name != "left_pending":
                setattr(self, name, getattr(self, name) + count)
        if other.cause and not self.cause:
            self.cause, self.answer = other.cause, other.answer

    @property
    def incomplete(self) -> bool:
        """Something did not go out as planned: the run exits 1 and the report says what."""
        # Not `deferred`: a message one worker deferred may go out with another in the same pass; what is
        # still waiting at the end is `left_pending`.
        return bool(
            self.failed or self.expired or self.lost_claims or self.channel_failed or self.left_pending
        )

    def as_dict(self) -> dict[str, int]:
        return {
            "sent": self.sent,
            "failed": self.failed,
            "deferred": self.deferred,
            "expired": self.expired,
            "lost_claims": self.lost_claims,
            "channel_failed": self.channel_failed,
            "left_pending": self.left_pending,
        }


def _where() -> str:
    """This host and PID namespace: containers may share a host name but never a PID namespace."""
    try:
        namespace = str(os.stat("/proc/self/ns/pid").st_ino)
    except OSError:
        namespace = "-"
    return f"{socket.gethostname()}/{namespace}"


def worker_name() -> str:
    return f"{_where()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _is_dead(claimed_by: str) -> bool:
    """True only when we can tell for sure: the claim is from this host and PID namespace, its process gone."""
    where, _, rest = claimed_by.partition(":")
    pid_text = rest.partition(":")[0]
    if where != _where() or not pid_text.isdigit():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


# Set when the whole process is shutting down (`appealwatch schedule` on SIGTERM): every worker stops after
# the message in hand, whichever thread it runs in.
SHUTDOWN = threading.Event()


class StopFlag:
    """Set by SIGTERM/SIGINT: the current message is finished and marked, then the workers stop."""

    def __init__(self) -> None:
        self.event = threading.Event()
        self.signal_name = ""  # SIGTERM or SIGINT, for the last line and the run log

    @property
    def why(self) -> str:
        """What stopped the run, in words, or "" while it was not stopped."""
        if self.event.is_set():
            return f"stopped by {self.signal_name or 'a signal'}"
        return "stopped: the scheduler is shutting down" if SHUTDOWN.is_set() else ""

    def is_set(self) -> bool:
        return self.event.is_set() or SHUTDOWN.is_set()

    @contextmanager
    def installed(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield
            return

        def handler(signum: int, _frame: FrameType | None) -> None:
            self.signal_name = signal.Signals(signum).name
            self.event.set()

        old = {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            yield
        finally:
            for sig, previous in old.items():
                signal.signal(sig, previous)


def _aware(value: datetime | None) -> datetime | None:
    # SQLite hands datetimes back naive; they were written in UTC.
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def _candidates(
    engine: Engine,
    after: int,
    kinds: tuple[str, ...] | None,
    limit: int = 100,
    channels: tuple[str, ...] | None = None,
) -> list[Any]:
    """The next messages in id order that are pending or in `sending` (their claim may be stale), on the
    `channels` this installation's notifier delivers."""
    query = (
        select(messages.c.id, messages.c.status, messages.c.claimed_by, messages.c.lease_until)
        .where(messages.c.status.in_(("pending", "sending")), messages.c.id > after)
        .order_by(messages.c.id)
        .limit(limit)
    )
    if kinds is not None:
        query = query.where(messages.c.kind.in_(kinds))
    if channels is not None:
        query = query.where(messages.c.channel.in_(channels))
    with engine.connect() as conn:
        return list(conn.execute(query).all())


def _put_back(engine: Engine, ids: list[int]) -> None:
    """Messages the relay refused alike: not their fault, so they wait for the relay to be fixed."""
    if not ids:
        return
    with engine.begin() as conn:
        conn.execute(
            update(messages)
            .where(messages.c.id.in_(ids), messages.c.status == "failed")
            .values(
                status="pending", last_answer=messages.c.last_answer + " (refused alike: put back to pending)"
            )
        )
    log.info("%s message(s) refused with the same answer: the relay refuses, not the recipients", len(ids))


def count_pending(engine: Engine, kinds: tuple[str, ...] | None = None) -> int:
    """Messages still waiting for a worker (not those another live worker is sending right now)."""
    query = select(func.count()).select_from(messages).where(messages.c.status == "pending")
    if kinds is not None:
        query = query.where(messages.c.kind.in_(kinds))
    with engine.connect() as conn:
        return int(conn.execute(query).scalar_one())


def claim_is_stale(row: Any) -> bool:
    """A `sending` claim whose lease ran out, or whose worker is known dead: anyone may take it over."""
    lease_until = _aware(row.lease_until)
    return (lease_until is not None and lease_until < now_utc()) or _is_dead(row.claimed_by or "")


def _claim_condition(row: Any) -> Any:
    """The condition under which `row` may be claimed (None: another live worker has it)."""
    if row.status == "pending":
        return messages.c.status == "pending"
    if claim_is_stale(row):
        # Take over a stale claim only if it is still exactly the claim we judged stale.
        return and_(messages.c.status == "sending", messages.c.claimed_by == row.claimed_by)
    return None


def _claim(engine: Engine, rows: list[Any], me: str, lease: int) -> list[Any]:
    """The conditional writes, in one transaction for a batch of rows (one commit, not one per message):
    each must change exactly one row, or someone else has that message. Returns the rows now ours, in id
    order, with every column the send needs (read by the claim itself: RETURNING, no second read).

    Claiming ahead does not weaken the promise: a message claimed but not yet sent when the process dies is
    taken over (its worker dead, or its lease run out) and sent once; only the one in flight can go twice.
    A pass that stops early gives back what it claimed and did not send (`_release`). What the claim read
    is what is sent: a message in `sending` under a live claim is changed by no one else (settling and the
    report mail touch only pending messages and stale claims)."""
    wanted = [(row, condition) for row in rows if (condition := _claim_condition(row)) is not None]
    if not wanted:
        return []
    ours: list[Any] = []
    with engine.begin() as conn:
        until = now_utc() + timedelta(seconds=lease)
        claim = update(messages).values(status="sending", claimed_by=me, lease_until=until)
        pending = [row.id for row, _condition in wanted if row.status == "pending"]
        if pending:
            # One statement for the pending ones: the condition is the same for each.
            ours.extend(
                conn.execute(
                    claim.where(messages.c.id.in_(pending), messages.c.status == "pending").returning(*_SENT)
                ).all()
            )
        for row, condition in wanted:
            if row.status != "pending":  # a stale claim, taken over only if it is still the one judged stale
                ours.extend(
                    conn.execute(claim.where(messages.c.id == row.id, condition).returning(*_SENT)).all()
                )
    return sorted(ours, key=lambda row: row.id)


def _release(engine: Engine, ids: list[int], me: str) -> None:
    """Messages this worker claimed and did not send (the pass stopped): pending again, at once."""
    if not ids:
        return
    with engine.begin() as conn:
        conn.execute(
            update(messages)
            .where(messages.c.id.in_(ids), messages.c.status == "sending", messages.c.claimed_by == me)
            .values(status="pending", claimed_by=None, lease_until=None)
        )


def _record(engine: Engine, ident: int, me: str, tries: tuple[Attempt, ...], values: dict[str, Any]) -> bool:
    """Record the attempts and the outcome; False if another worker had taken the message over meanwhile.

    The outcome of a send that happened must not be lost to a briefly locked database: retried a few times.
    """
    for pause in (1.0, 5.0, 30.0, None):
        try:
            return _record_once(engine, ident, me, tries, values)
        except OperationalError:
            if pause is None:
                raise
            time.sleep(pause)
    raise AssertionError("unreachable")


_ATTEMPT = insert(attempts)
# The outcome, only while the claim is still ours: prepared once, bound per message.
_MARK = (
    update(messages)
    .where(messages.c.id == bindparam("ident"), messages.c.claimed_by == bindparam("me"))
    .values(
        attempts=messages.c.attempts + bindparam("tries", type_=Integer),
        status=bindparam("status"),
        last_answer=bindparam("answer"),
    )
)
_MARK_SENT = _MARK.values(sent_at=bindparam("sent_at", type_=messages.c.sent_at.type))


def _record_once(
    engine: Engine, ident: int, me: str, tries: tuple[Attempt, ...], values: dict[str, Any]
) -> bool:
    with engine.begin() as conn:
        if tries:
            conn.execute(
                _ATTEMPT,
                [
                    {
                        "message_pk": ident,
                        "at": a.at,
                        "worker": me,
                        "ok": a.ok,
                        "permanent": a.permanent,
                        "code": a.code,
                        "answer": a.answer[:2000],
                    }
                    for a in tries
                ],
            )
        bound = {
            "ident": ident,
            "me": me,
            "tries": len(tries),
            "status": values["status"],
            "answer": values["last_answer"],
        }
        if "sent_at" in values:
            result = conn.execute(_MARK_SENT, {**bound, "sent_at": values["sent_at"]})
        else:
            result = conn.execute(_MARK, bound)
        return result.rowcount == 1


def _attachments(row: Any, reports_root: Path | None) -> tuple[Attachment, ...]:
    """The supervisors' report mail carries the night's workbook (`<out_dir>/<night>/report-<night>.xlsx`)."""
    if row.kind != "report" or reports_root is None:
        return ()
    night = str(row.message_id)[len("<aw.report.") :][:8]
    try:
        day = date(int(night[:4]), int(night[4:6]), int(night[6:8]))
    except ValueError:
        return ()
    path = reports_root / day.isoformat() / f"report-{day.isoformat()}.xlsx"
    if not path.is_file():
        return ()
    return (Attachment(path.name, XLSX, path.read_bytes()),)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# What a send needs of a message: read by the claim (RETURNING), not again per message.
_SENT = (
    messages.c.id,
    messages.c.kind,
    messages.c.message_id,
    messages.c.to_name,
    messages.c.to_addr,
    messages.c.subject,
    messages.c.body_text,
    messages.c.body_html,
    messages.c.language,
    messages.c.reply_to,
    messages.c.not_after,
)


def _outgoing(row: Any, sender: str, reports_root: Path | None = None) -> OutgoingMessage:
    return OutgoingMessage(
        attachments=_attachments(row, reports_root),
        message_id=row.message_id,
        sender=sender,
        to_name=row.to_name,
        to_addr=row.to_addr,
        subject=row.subject,
        text=row.body_text,
        html=row.body_html,
        language=row.language,
        reply_to=row.reply_to,
        headers=(("X-Appealwatch-Kind", row.kind),),
    )


def channel_words(notifier: Notifier | str) -> tuple[str, str]:
    """What the channel is called in the log and the night's last line, and where to fix it."""
    name = notifier if isinstance(notifier, str) else notifier.name
    if name == FileNotifier.name:
        return "the file outbox", "[notifier] outbox_dir (its folder must be writable)"
    return "the SMTP relay", "[smtp] or the relay"


def deliver_one(
    engine: Engine,
    notifier: Notifier,
    row: Any,
    me: str,
    on: date,
    sender: str,
    reports_root: Path | None = None,
) -> tuple[str, str]:
    """Send one claimed message (`row`, as the claim read it: `_SENT`) and mark it; returns the outcome's
    name (for the stats) and the last answer."""
    ident = row.id
    if row.not_after is not None and on > as_date(row.not_after):
        answer = "deadline passed before delivery"
        _record(engine, ident, me, (), {"status": "expired", "last_answer": answer})
        return "expired", answer
    try:
        delivery = notifier.send(_outgoing(row, sender, reports_root))
    except TransportError as exc:
        answer = _answer(exc.attempts, str(exc))
        if exc.channel:
            # Not this message's fault (a refused login, TLS set-up or sender): it stays pending, and the
            # pass stops, rather than failing the whole night's reminders one by one.
            _record(engine, ident, me, exc.attempts, {"status": "pending", "last_answer": answer})
            # Said once, in the night's last line (`delivery_line`), not once per message or worker.
            return "channel_failed", answer
        status, outcome = ("failed", "failed") if exc.permanent else ("pending", "deferred")
        _record(engine, ident, me, exc.attempts, {"status": status, "last_answer": answer})
        return outcome, answer
    answer = delivery.detail[:2000]
    if not _record(
        engine, ident, me, delivery.attempts, {"status": "sent", "sent_at": now_utc(), "last_answer": answer}
    ):
        log.warning(
            "message %s was sent, but its claim had been taken over: it may go out twice", row.message_id
        )
        return "lost_claims", answer
    return "sent", answer


def _answer(tries: tuple[Attempt, ...], fallback: str) -> str:
    """The last thing the server said, with its code: what a supervisor needs to see in the report."""
    if not tries:
        return fallback[:2000]
    last = tries[-1]
    return (f"{last.code} {last.answer}" if last.code is not None else last.answer)[:2000]


def run_workers(
    engine: Engine,
    settings: Settings,
    on: date,
    workers: int = 1,
    notifier_factory: Callable[[Settings], Notifier] = make_notifier,
    stop: StopFlag | None = None,
    kinds: tuple[str, ...] | None = None,
    progress: Progress | None = None,
) -> DeliveryStats:
    """One pass over the outbox (of these message kinds), with `workers` threads each holding a connection.

    After CIRCUIT_BREAKER transient failures in a row the relay is taken to be down: the pass stops and
    leaves the rest pending for `appealwatch deliver`, instead of spending minutes of timeouts per message.
    """
    stats = DeliveryStats()
    stop = stop or StopFlag()
    lease = settings.reminders.claim_lease_seconds
    errors: list[BaseException] = []
    breaker = _Breaker()
    reports_root = settings.resolve(settings.report.out_dir).resolve()
    if progress is not None:
        progress.start_sending(count_pending(engine, kinds))

    def work() -> None:
        me = worker_name()
        after = 0  # one pass in id order: a deferred message waits for the next run, not this loop
        try:
            with notifier_factory(settings) as notifier:
                while not stop.is_set():
                    batch = _candidates(
                        engine, after, kinds, limit=CLAIM_BATCH, channels=served_channels(settings)
                    )
                    if not batch:
                        return
                    after = batch[-1].id
                    claimed = _claim(engine, batch, me, lease)
                    claimed.reverse()  # popped from the end: in id order
                    try:
                        while claimed:
                            if stop.is_set() or breaker.is_open:
                                return
                            row = claimed.pop()  # in flight: never given back, whatever happens now
                            ident = row.id
                            outcome, answer = deliver_one(
                                engine, notifier, row, me, on, settings.smtp.sender, reports_root
                            )
                            stats.add(outcome)
                            if progress is not None:
                                progress.sent_one(outcome)
                            put_back = breaker.record(ident, outcome, answer)
                            if put_back:
                                _put_back(engine, put_back)
                                with stats.lock:
                                    stats.failed -= len(put_back)
                                    stats.channel_failed += len(put_back)
                    finally:
                        _release(engine, [row.id for row in claimed], me)
        except BaseException as exc:  # surfaced to the caller after the other workers finish
            errors.append(exc)

    with stop.installed():
        threads = [threading.Thread(target=work, name=f"deliver-{i}") for i in range(workers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    if errors:
        raise errors[0]
    put_back = breaker.finish()
    if put_back:
        _put_back(engine, put_back)
        stats.failed -= len(put_back)
        stats.channel_failed += len(put_back)
    stats.cause, stats.answer = breaker.cause, breaker.answer
    if stop.is_set() and not stats.cause:
        stats.cause = "stopped"
    stats.left_pending = count_pending(engine, kinds)
    if stats.left_pending and not stats.cause:
        stats.cause = "unreachable" if stats.deferred else ""
    return stats


def delivery_line(stats: DeliveryStats, kind: str) -> str:
    """The night's last line when delivery is why it exits 1: the cause, then the next step."""
    what, fix = channel_words(kind)
    parts = []
    waiting = stats.left_pending
    if waiting:
        said = f" ({stats.answer})" if stats.answer else ""
        if stats.cause == "refused":
            parts.append(
                f"{what[4:]} refuses to send{said}: {waiting} message(s) wait; fix {fix}, then run "
                "`appealwatch deliver` (or let the next run send them)"
            )
        elif stats.cause == "stopped":
            parts.append(
                f"delivery stopped: {waiting} message(s) wait; they go out with the next run or "
                "`appealwatch deliver`"
            )
        else:
            parts.append(
                f"{what[4:]} unreachable{said}: {waiting} message(s) wait; they go out with the next run "
                "or `appealwatch deliver`"
            )
    gone = []
    if stats.failed:
        gone.append(f"{stats.failed} refused for good")
    if stats.expired:
        gone.append(f"{stats.expired} expired before they could go out")
    if stats.lost_claims:
        gone.append(f"{stats.lost_claims} sent while another worker held them (may repeat)")
    if gone:
        parts.append(f"{', '.join(gone)}: the report lists the families to write to or call")
    return "; ".join(parts)


def stopped_line(stop: StopFlag, waiting: int) -> str:
    """The last line of a run or delivery that a signal stopped; "" if none did."""
    if not stop.is_set():
        return ""
    return (
        f"{stop.why}: {waiting} message(s) wait in the outbox; they go out with the next run or "
        "`appealwatch deliver`"
    )
