"""From due stages to messages: render each reminder and each advisor's digest, and write them, with their
ledger rows, in one transaction.

The ledger row (decision, forum, safe_deadline, recipient, stage) is the exactly-once key; the message it
points to is rendered now, so the ledger shows exactly what was sent, and carries a Message-ID derived from
the key. If the transaction commits, every message is pending in the outbox and delivery can claim it; if it
does not, nothing was recorded and the next run plans the same stages again. Nothing is lost either way.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from email.utils import parseaddr
from typing import Any

import pandas as pd
from sqlalchemy import Connection, select, update
from sqlalchemy.dialects import postgresql, sqlite

from deadlines.explain import reason_facts
from jobs.channels import DEFAULT_CHANNEL
from jobs.config import Settings
from jobs.due import KEY
from jobs.inputs import People
from jobs.render import Rendered, build_digest_context, build_reminder_context, render
from jobs.runlog import now_utc
from jobs.store import as_date, messages, reminders, runs


@dataclass
class PlannedMessage:
    message_id: str
    kind: str  # reminder | digest
    recipient_kind: str
    recipient_id: int | None
    to_name: str
    to_addr: str
    language: str
    subject: str
    text: str
    html: str
    not_after: date
    summary: str  # one line for --dry-run and the log
    channel: str = DEFAULT_CHANNEL  # the notifier channel that delivers it (aw_messages.channel)


@dataclass
class Plan:
    messages: list[PlannedMessage] = field(default_factory=list)
    ledger: list[dict[str, Any]] = field(default_factory=list)  # rows for aw_reminders (+ "message_id")
    unreachable: list[dict[str, Any]] = field(default_factory=list)  # for the supervisor report

    def count(self, status: str) -> int:
        return sum(1 for row in self.ledger if row["status"] == status)


def message_domain(sender: str) -> str:
    return parseaddr(sender)[1].rpartition("@")[2] or "appealwatch.invalid"


def reminder_message_id(key: Mapping[str, Any], domain: str) -> str:
    """Stable across reruns: the same ledger key always gives the same Message-ID."""
    deadline = pd.Timestamp(key["safe_deadline"]).strftime("%Y%m%d")
    return (
        f"<aw.r.{key['decision_id']}.{key['forum']}.{deadline}.{key['recipient_kind'][0]}"
        f"{key['recipient_id']}.s{key['stage']}@{domain}>"
    )


def digest_message_id(advisor_id: int, on: date, keys: list[str], domain: str) -> str:
    # A second run the same night with new items makes a second digest, with only the new items.
    digest = hashlib.sha256("\n".join(sorted(keys)).encode()).hexdigest()[:12]
    return f"<aw.d.{advisor_id}.{on:%Y%m%d}.{digest}@{domain}>"


def _py(value: Any) -> Any:
    if isinstance(value, pd.Timestamp):
        return value.date()
    if value is pd.NaT or (
        not isinstance(value, str | bytes) and pd.api.types.is_scalar(value) and pd.isna(value)
    ):
        return None
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def _by_id(frame: pd.DataFrame) -> dict[int, dict[str, Any]]:
    """People as plain dicts by id, built once: a lookup per due stage, not a pandas row access."""
    rows: list[dict[str, Any]] = frame.to_dict("records")  # type: ignore[assignment]
    return {int(r["id"]): {str(k): _py(v) for k, v in r.items()} for r in rows}


def _person(people: dict[int, dict[str, Any]], ident: Any) -> dict[str, Any] | None:
    return None if ident is None or pd.isna(ident) else people.get(int(ident))


def _message(
    kind: str, person: dict[str, Any], rendered: Rendered, message_id: str, not_after: date, summary: str
) -> PlannedMessage:
    return PlannedMessage(
        message_id=message_id,
        kind=kind,
        recipient_kind="beneficiary" if kind == "reminder" else "advisor",
        recipient_id=int(person["id"]),
        to_name=person["full_name"],
        to_addr=person["address"],
        language=person["lang"],
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        not_after=not_after,
        summary=summary,
    )


def _item(
    key: Mapping[str, Any], window: Mapping[str, Any], beneficiary: Mapping[str, Any]
) -> dict[str, Any]:
    """One stage of one window as the templates and the report show it."""
    return {
        "beneficiary_name": beneficiary["full_name"],
        "decision_id": key["decision_id"],
        "kind": window["kind"],
        "forum": key["forum"],
        "safe_deadline": key["safe_deadline"],
        "days_left": int(window["days_left"]),
        "stage": key["stage"],
    }


class _Planner:
    """Turns tonight's due stages into ledger rows and messages: each stage first, then one digest per advisor."""

    def __init__(self, windows: pd.DataFrame, people: People, settings: Settings, on: date) -> None:
        self.plan = Plan()
        self.on = on
        self.domain = message_domain(settings.smtp.sender)
        self.fund = settings.fund.model_dump()
        records: list[dict[str, Any]] = windows.to_dict("records")  # type: ignore[assignment]
        self.windows = {(int(w["decision_id"]), str(w["forum"])): w for w in records}
        self.beneficiaries, self.advisors = _by_id(people.beneficiaries), _by_id(people.advisors)
        # per advisor: the items at an advisor stage (with their ledger rows), and the families to call
        self.items: dict[int, list[dict[str, Any]]] = defaultdict(list)
        self.item_rows: dict[int, list[dict[str, Any]]] = defaultdict(list)
        self.to_call: dict[int, list[dict[str, Any]]] = defaultdict(list)

    def stage(self, action: dict[str, Any]) -> None:
        key = {k: _py(action[k]) for k in ("decision_id", "forum", "recipient_kind", "recipient_id", "stage")}
        key["safe_deadline"] = _py(pd.Timestamp(action["safe_deadline"]))
        row = {**key, "due_on": self.on, "status": "skipped", "detail": None, "message_id": None}
        self.plan.ledger.append(row)
        if action["action"] != "send":
            row["detail"] = "a more urgent stage was due at the same time"
            return
        window = self.windows[(key["decision_id"], key["forum"])]
        days_left = int(window["days_left"])
        beneficiary = _person(self.beneficiaries, window["beneficiary_id"])
        if beneficiary is None:
            # The decision names a beneficiary the fund's table does not have: a data problem to chase.
            row.update(status="unreachable", detail="beneficiary row missing")
            self.plan.unreachable.append(
                {**key, "days_left": days_left, "beneficiary_name": f"(beneficiary {window['beneficiary_id']} missing)",
                 "reason": "beneficiary row missing", "advisor_id": None}
            )  # fmt: skip
            return
        item = _item(key, window, beneficiary)
        if key["recipient_kind"] == "advisor":
            self.items[key["recipient_id"]].append(item)
            self.item_rows[key["recipient_id"]].append(row)
            return
        advisor = _person(self.advisors, beneficiary.get("advisor_id"))
        if beneficiary["address"] is None:
            reason = beneficiary["address_problem"] or "missing"
            row.update(status="unreachable", detail=f"{reason} e-mail address")
            listed = {**item, "reason": reason, "beneficiary_id": beneficiary["id"]}
            self.plan.unreachable.append({**listed, "advisor_id": beneficiary.get("advisor_id")})
            if advisor is not None:
                self.to_call[int(advisor["id"])].append(listed)
            return
        lang = beneficiary["lang"]
        rendered = self.render_reminder(window, item, beneficiary, advisor)
        message_id = reminder_message_id(key, self.domain)
        row.update(status="queued", message_id=message_id)
        summary = (
            f"reminder  to beneficiary {beneficiary['id']} <{beneficiary['address']}> [{lang}] "
            f"decision {key['decision_id']} {key['forum']} deadline {key['safe_deadline']} stage {key['stage']}d"
        )
        self.plan.messages.append(
            _message("reminder", beneficiary, rendered, message_id, key["safe_deadline"], summary)
        )

    def render_reminder(
        self,
        window: dict[str, Any],
        item: dict[str, Any],
        beneficiary: dict[str, Any],
        advisor: dict[str, Any] | None,
    ) -> Rendered:
        view = {
            **{k: _py(v) for k, v in reason_facts(window).items()},
            **item,
            "decided_on": _py(window.get("decided_on")),
        }
        lang = beneficiary["lang"]
        return render("reminder", lang, build_reminder_context(view, beneficiary, advisor, self.fund, lang))

    def rerender(self, key: dict[str, Any]) -> tuple[Rendered, dict[str, Any]] | None:
        """A reminder planned on an earlier night, as it must read tonight (days left, advisor, wording);
        None when its window is no longer open with that deadline or its family has no usable address."""
        window = self.windows.get((int(key["decision_id"]), str(key["forum"])))
        if (
            window is None
            or window["status"] != "open"
            or _py(window["safe_deadline"]) != key["safe_deadline"]
        ):
            return None
        beneficiary = _person(self.beneficiaries, window["beneficiary_id"])
        if beneficiary is None or beneficiary["address"] is None:
            return None
        advisor = _person(self.advisors, beneficiary.get("advisor_id"))
        return self.render_reminder(
            window, _item(key, window, beneficiary), beneficiary, advisor
        ), beneficiary

    def digests(self) -> None:
        for advisor_id in sorted(set(self.items) | set(self.to_call)):
            advisor = _person(self.advisors, advisor_id)
            items, rows, to_call = (
                self.items[advisor_id],
                self.item_rows[advisor_id],
                self.to_call[advisor_id],
            )
            if advisor is None or advisor["address"] is None:
                reason = (
                    "advisor row missing"
                    if advisor is None
                    else "advisor has an invalid e-mail address"
                    if advisor["address_problem"] == "invalid"
                    else "advisor has no e-mail address"
                )
                for row in rows:
                    row.update(status="unreachable", detail=reason)
                for item in items:
                    self.plan.unreachable.append(
                        {**item, "reason": reason, "advisor_id": advisor_id, "recipient": "advisor"}
                    )
                continue
            lang = advisor["lang"]
            rendered = render(
                "digest", lang, build_digest_context(advisor, items, to_call, self.on, self.fund, lang)
            )
            keys = [reminder_message_id(r, self.domain) for r in rows]
            keys += [f"u{u['decision_id']}.{u['forum']}.{u['stage']}" for u in to_call]
            message_id = digest_message_id(advisor_id, self.on, keys, self.domain)
            for row in rows:
                row.update(status="queued", message_id=message_id)
            summary = (
                f"digest    to advisor {advisor_id} <{advisor['address']}> [{lang}] "
                f"{len(items)} window(s) at an advisor stage, {len(to_call)} without e-mail"
            )
            not_after = max(i["safe_deadline"] for i in items + to_call)
            self.plan.messages.append(_message("digest", advisor, rendered, message_id, not_after, summary))


def refresh_held_reminders(
    conn: Connection, windows: pd.DataFrame, people: People, settings: Settings, on: date
) -> int:
    """Re-render the reminders that an outage held in the outbox since an earlier night, so that what goes out
    tonight says tonight's truth ("2 days left", not last week's "7 days left"). Same message, same Message-ID;
    only the text changes. Those no longer true at all were superseded just before."""
    held = conn.execute(
        select(messages.c.id, *[reminders.c[k] for k in ("decision_id", "forum", "safe_deadline", "stage")])
        .join(reminders, reminders.c.message_pk == messages.c.id)
        .join(runs, runs.c.id == messages.c.run_id)
        .where(messages.c.status == "pending", messages.c.kind == "reminder", runs.c.on_date < on)
    ).all()
    if not held:
        return 0
    planner = _Planner(windows, people, settings, on)
    refreshed = 0
    for row in held:
        key = {
            "decision_id": row.decision_id,
            "forum": row.forum,
            "safe_deadline": as_date(row.safe_deadline),
            "stage": row.stage,
        }
        fresh = planner.rerender(key)
        if fresh is not None:
            rendered, person = fresh
            conn.execute(
                update(messages)
                .where(messages.c.id == row.id, messages.c.status == "pending")
                .values(
                    subject=rendered.subject,
                    body_text=rendered.text,
                    body_html=rendered.html,
                    to_name=person["full_name"],  # the family's current name, address and language
                    to_addr=person["address"],
                    language=person["lang"],
                )
            )
            refreshed += 1
    return refreshed


def settle_held_digests(
    conn: Connection, windows: pd.DataFrame, people: People, settings: Settings, on: date
) -> tuple[int, int, int]:
    """The advisors' digests an outage held since an earlier night, settled against tonight like reminders.

    An item stays only while its window is open with the same safe deadline and no more urgent advisor stage
    is due (that one goes in tonight's digest); a family to call stays while its window is open and it still
    has no usable address. A digest with something left is rendered again with tonight's facts (days left,
    the advisor's name and address; same Message-ID); one with nothing left is `expired` when a deadline
    passed while it waited, else `superseded`. Returns (superseded, expired, re-rendered)."""
    held = conn.execute(
        select(messages.c.id, messages.c.recipient_id, messages.c.run_id)
        .join(runs, runs.c.id == messages.c.run_id)
        .where(messages.c.status == "pending", messages.c.kind == "digest", runs.c.on_date < on)
    ).all()
    if not held:
        return 0, 0, 0
    planner = _Planner(windows, people, settings, on)
    stages = sorted(int(o) for o in settings.reminders.advisor_days)
    counts = {"superseded": 0, "expired": 0, "refreshed": 0}
    for digest in held:
        advisor = _person(planner.advisors, digest.recipient_id)
        rows = conn.execute(
            select(reminders).where(
                (reminders.c.message_pk == digest.id)
                | (
                    (reminders.c.run_id == digest.run_id)
                    & (reminders.c.status == "unreachable")
                    & (reminders.c.recipient_kind == "beneficiary")
                )
            )
        ).all()
        items: list[dict[str, Any]] = []
        to_call: list[dict[str, Any]] = []
        passed = False
        for row in rows:
            deadline = as_date(row.safe_deadline)
            window = planner.windows.get((int(row.decision_id), str(row.forum)))
            beneficiary = None if window is None else _person(planner.beneficiaries, window["beneficiary_id"])
            open_ = (
                window is not None
                and window["status"] == "open"
                and _py(window["safe_deadline"]) == deadline
                and beneficiary is not None
            )
            if not open_:
                passed = passed or deadline < on
                continue
            assert window is not None and beneficiary is not None
            key = {c: getattr(row, c) for c in ("decision_id", "forum", "stage")} | {
                "safe_deadline": deadline
            }
            item = _item(key, window, beneficiary)
            if row.message_pk == digest.id:
                if any(item["days_left"] <= o < row.stage for o in stages):
                    continue  # a more urgent advisor stage is due: tonight's digest carries it
                items.append(item)
            elif beneficiary["address"] is None and beneficiary.get("advisor_id") == digest.recipient_id:
                to_call.append({**item, "reason": beneficiary["address_problem"] or "missing",
                                "beneficiary_id": beneficiary["id"]})  # fmt: skip
        if advisor is None or advisor["address"] is None or not (items or to_call):
            status = "expired" if passed and advisor is not None else "superseded"
            answer = "deadline passed before delivery" if status == "expired" else "no longer true"
            conn.execute(
                update(messages)
                .where(messages.c.id == digest.id, messages.c.status == "pending")
                .values(status=status, last_answer=answer)
            )
            counts[status] += 1
            continue
        lang = advisor["lang"]
        rendered = render(
            "digest", lang, build_digest_context(advisor, items, to_call, on, planner.fund, lang)
        )
        conn.execute(
            update(messages)
            .where(messages.c.id == digest.id, messages.c.status == "pending")
            .values(
                subject=rendered.subject,
                body_text=rendered.text,
                body_html=rendered.html,
                to_name=advisor["full_name"],
                to_addr=advisor["address"],
                language=lang,
                not_after=max(i["safe_deadline"] for i in items + to_call),
            )
        )
        counts["refreshed"] += 1
    return counts["superseded"], counts["expired"], counts["refreshed"]


def build_plan(
    actions: pd.DataFrame, windows: pd.DataFrame, people: People, settings: Settings, on: date
) -> Plan:
    """Render tonight's messages. The loop runs over due stages (tens or hundreds a night), not decisions."""
    planner = _Planner(windows, people, settings, on)
    rows: list[dict[str, Any]] = actions.to_dict("records")  # type: ignore[assignment]
    for action in rows:
        planner.stage(action)
    planner.digests()
    return planner.plan


def insert_for(conn: Connection) -> Any:
    """The dialect's INSERT, which has ON CONFLICT DO NOTHING on both SQLite and PostgreSQL."""
    return postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert


def queue_messages(conn: Connection, planned: list[PlannedMessage], run_id: int | None) -> None:
    """Put rendered messages in the outbox, pending; a Message-ID already there is left as it is."""
    if not planned:
        return
    now = now_utc()
    conn.execute(
        insert_for(conn)(messages).on_conflict_do_nothing(index_elements=["message_id"]),
        [
            {
                "message_id": m.message_id,
                "channel": m.channel,
                "kind": m.kind,
                "recipient_kind": m.recipient_kind,
                "recipient_id": m.recipient_id,
                "to_name": m.to_name,
                "to_addr": m.to_addr,
                "language": m.language,
                "subject": m.subject,
                "body_text": m.text,
                "body_html": m.html,
                "status": "pending",
                "not_after": m.not_after,
                "attempts": 0,
                "run_id": run_id,
                "created_at": now,
            }
            for m in planned
        ],
    )


def write_plan(conn: Connection, plan: Plan, run_id: int) -> None:
    """Outbox and ledger in the caller's transaction; keys already present are left as they are."""
    queue_messages(conn, plan.messages, run_id)
    ids = [m.message_id for m in plan.messages]
    pks: dict[str, int] = {}
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        found = conn.execute(
            select(messages.c.message_id, messages.c.id).where(messages.c.message_id.in_(chunk))
        )
        pks.update({message_id: pk for message_id, pk in found})
    if plan.ledger:
        now = now_utc()
        conn.execute(
            insert_for(conn)(reminders).on_conflict_do_nothing(index_elements=KEY),  # uq_aw_reminders_key
            [
                {
                    **{k: v for k, v in row.items() if k != "message_id"},
                    "message_pk": pks.get(row["message_id"]) if row["message_id"] else None,
                    "run_id": run_id,
                    "created_at": now,
                }
                for row in plan.ledger
            ],
        )
