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
from sqlalchemy import Connection, select
from sqlalchemy.dialects import postgresql, sqlite

from deadlines.explain import reason_facts
from jobs.config import Settings
from jobs.inputs import People
from jobs.render import build_digest_context, build_reminder_context, render
from jobs.runlog import now_utc
from jobs.store import messages, reminders


@dataclass
class PlannedMessage:
    message_id: str
    kind: str  # reminder | digest
    recipient_kind: str
    recipient_id: int
    to_name: str
    to_addr: str
    language: str
    subject: str
    text: str
    html: str
    not_after: date
    summary: str  # one line for --dry-run and the log


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


def _fund(settings: Settings) -> dict[str, str]:
    return settings.fund.model_dump()


def build_plan(
    actions: pd.DataFrame, windows: pd.DataFrame, people: People, settings: Settings, on: date
) -> Plan:
    """Render tonight's messages. The loop runs over due stages (tens or hundreds a night), not decisions."""
    plan = Plan()
    domain = message_domain(settings.smtp.sender)
    fund = _fund(settings)
    records: list[dict[str, Any]] = windows.to_dict("records")  # type: ignore[assignment]
    by_window = {(int(w["decision_id"]), str(w["forum"])): w for w in records}
    beneficiaries, advisors = _by_id(people.beneficiaries), _by_id(people.advisors)
    digest_items: dict[int, list[dict[str, Any]]] = defaultdict(list)
    digest_unreachable: dict[int, list[dict[str, Any]]] = defaultdict(list)
    digest_keys: dict[int, list[dict[str, Any]]] = defaultdict(list)

    for action in actions.to_dict("records"):
        key = {k: _py(action[k]) for k in ("decision_id", "forum", "recipient_kind", "recipient_id", "stage")}
        key["safe_deadline"] = _py(pd.Timestamp(action["safe_deadline"]))
        row = {**key, "due_on": on, "status": "skipped", "detail": None, "message_id": None}
        plan.ledger.append(row)
        if action["action"] != "send":
            row["detail"] = "a more urgent stage was due at the same time"
            continue
        window = by_window[(key["decision_id"], key["forum"])]
        beneficiary = _person(beneficiaries, window["beneficiary_id"])
        if beneficiary is None:
            # The decision names a beneficiary the fund's table does not have: a data problem to chase.
            row.update(status="unreachable", detail="beneficiary row missing")
            plan.unreachable.append(
                {**key, "days_left": int(window["days_left"]), "beneficiary_name": f"(beneficiary {window['beneficiary_id']} missing)",
                 "reason": "beneficiary row missing", "advisor_id": None}
            )  # fmt: skip
            continue
        advisor = _person(advisors, beneficiary.get("advisor_id"))
        facts = {k: _py(v) for k, v in reason_facts(window).items()}
        view = {
            **facts,
            "decision_id": key["decision_id"],
            "kind": window["kind"],
            "forum": key["forum"],
            "decided_on": _py(window.get("decided_on")),
            "safe_deadline": key["safe_deadline"],
            "days_left": int(window["days_left"]),
            "stage": key["stage"],
        }
        item = {
            "beneficiary_name": beneficiary["full_name"],
            "decision_id": key["decision_id"],
            "kind": window["kind"],
            "forum": key["forum"],
            "safe_deadline": key["safe_deadline"],
            "days_left": int(window["days_left"]),
            "stage": key["stage"],
        }
        if key["recipient_kind"] == "advisor":
            digest_items[key["recipient_id"]].append(item)
            digest_keys[key["recipient_id"]].append(row)
            continue
        if beneficiary["address"] is None:
            reason = beneficiary["address_problem"] or "missing"
            row.update(status="unreachable", detail=f"{reason} e-mail address")
            unreachable = {**item, "reason": reason, "beneficiary_id": beneficiary["id"]}
            plan.unreachable.append({**unreachable, "advisor_id": beneficiary.get("advisor_id")})
            if advisor is not None:
                digest_unreachable[int(advisor["id"])].append(unreachable)
            continue
        lang = beneficiary["lang"]
        rendered = render("reminder", lang, build_reminder_context(view, beneficiary, advisor, fund, lang))
        message_id = reminder_message_id(key, domain)
        row.update(status="queued", message_id=message_id)
        plan.messages.append(
            PlannedMessage(
                message_id=message_id,
                kind="reminder",
                recipient_kind="beneficiary",
                recipient_id=int(beneficiary["id"]),
                to_name=beneficiary["full_name"],
                to_addr=beneficiary["address"],
                language=lang,
                subject=rendered.subject,
                text=rendered.text,
                html=rendered.html,
                not_after=key["safe_deadline"],
                summary=(
                    f"reminder  to beneficiary {beneficiary['id']} <{beneficiary['address']}> [{lang}] "
                    f"decision {key['decision_id']} {key['forum']} deadline {key['safe_deadline']} "
                    f"stage {key['stage']}d"
                ),
            )
        )

    for advisor_id in sorted(set(digest_items) | set(digest_unreachable)):
        advisor = _person(advisors, advisor_id)
        rows = digest_keys[advisor_id]
        if advisor is None or advisor["address"] is None:
            reason = (
                "advisor row missing"
                if advisor is None
                else f"advisor has a {advisor['address_problem']} e-mail address"
            )
            for row in rows:
                row.update(status="unreachable", detail=reason)
            for item in digest_items[advisor_id]:
                plan.unreachable.append(
                    {**item, "reason": reason, "advisor_id": advisor_id, "recipient": "advisor"}
                )
            continue
        lang = advisor["lang"]
        items, listed = digest_items[advisor_id], digest_unreachable[advisor_id]
        context = build_digest_context(advisor, items, listed, on, fund, lang)
        rendered = render("digest", lang, context)
        keys = [reminder_message_id(r, domain) for r in rows] + [
            f"u{u['decision_id']}.{u['forum']}.{u['stage']}" for u in listed
        ]
        message_id = digest_message_id(advisor_id, on, keys, domain)
        for row in rows:
            row.update(status="queued", message_id=message_id)
        deadlines = [i["safe_deadline"] for i in items + listed]
        plan.messages.append(
            PlannedMessage(
                message_id=message_id,
                kind="digest",
                recipient_kind="advisor",
                recipient_id=advisor_id,
                to_name=advisor["full_name"],
                to_addr=advisor["address"],
                language=lang,
                subject=rendered.subject,
                text=rendered.text,
                html=rendered.html,
                not_after=max(deadlines),
                summary=(
                    f"digest    to advisor {advisor_id} <{advisor['address']}> [{lang}] "
                    f"{len(items)} window(s) at an advisor stage, {len(listed)} without e-mail"
                ),
            )
        )
    return plan


def insert_for(conn: Connection) -> Any:
    """The dialect's INSERT, which has ON CONFLICT DO NOTHING on both SQLite and PostgreSQL."""
    return postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert


def write_plan(conn: Connection, plan: Plan, run_id: int) -> None:
    """Outbox and ledger in the caller's transaction; keys already present are left as they are."""
    now = now_utc()
    ins = insert_for(conn)
    if plan.messages:
        conn.execute(
            ins(messages).on_conflict_do_nothing(index_elements=["message_id"]),
            [
                {
                    "message_id": m.message_id,
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
                for m in plan.messages
            ],
        )
    ids = [m.message_id for m in plan.messages]
    pks: dict[str, int] = {}
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        found = conn.execute(
            select(messages.c.message_id, messages.c.id).where(messages.c.message_id.in_(chunk))
        )
        pks.update({message_id: pk for message_id, pk in found})
    if plan.ledger:
        conn.execute(
            ins(reminders).on_conflict_do_nothing(
                index_elements=[
                    "decision_id",
                    "forum",
                    "safe_deadline",
                    "recipient_kind",
                    "recipient_id",
                    "stage",
                ]
            ),
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
