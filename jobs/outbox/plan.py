"""From due stages to messages: the ledger row of each due stage (queued, skipped or unreachable), each
reminder and each advisor's digest rendered, with its Message-ID (`jobs.outbox.ids`). Writes nothing:
`jobs.outbox.queue.write_plan` writes the plan, in one transaction.

The planner lives in the outbox because settling held messages (`jobs.outbox.settle`) renders them again with
the same planner, so that a held message and tonight's one read alike.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import date
from email.utils import formataddr
from typing import Any

import pandas as pd

from deadlines.explain import reason_facts
from jobs.config import Settings
from jobs.inputs import People
from jobs.outbox.ids import digest_message_id, message_domain, reminder_message_id
from jobs.outbox.queue import Plan, PlannedMessage
from jobs.render import Rendered, build_digest_context, build_reminder_context, render


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
    kind: str,
    person: dict[str, Any],
    rendered: Rendered,
    message_id: str,
    not_after: date,
    summary: str,
    reply_to: str | None = None,
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
        reply_to=reply_to,
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
        self.last_stage = min(settings.reminders.beneficiary_days, default=0)
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
            _message(
                "reminder", beneficiary, rendered, message_id, key["safe_deadline"], summary,
                self.reply_to(beneficiary),
            )
        )  # fmt: skip

    def reply_to(self, beneficiary: Mapping[str, Any]) -> str | None:
        """Who answers a family's reply: their advisor when the advisor has a usable address, else the fund's
        configured address (None when it has none: the sender's own then)."""
        advisor = _person(self.advisors, beneficiary.get("advisor_id"))
        if advisor is not None and advisor["address"] is not None:
            return formataddr((str(advisor["full_name"]), str(advisor["address"])))
        email = str(self.fund.get("email") or "").strip()
        return formataddr((str(self.fund.get("name") or ""), email)) if email else None

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
            "reference": _py(window.get("reference")),  # decisions.reference, when the input carries it
        }
        lang = beneficiary["lang"]
        context = build_reminder_context(view, beneficiary, advisor, self.fund, lang, self.last_stage)
        return render("reminder", lang, context)

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
