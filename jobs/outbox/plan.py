"""From due stages to messages: the ledger row of each due stage (queued, skipped or unreachable), each
reminder and each advisor's digest rendered, with its Message-ID (`jobs.outbox.ids`). Writes nothing:
`jobs.outbox.queue.write_plan` writes the plan, in one transaction.

The planner lives in the outbox because settling held messages (`jobs.outbox.settle`) renders them again with
the same planner, so that a held message and tonight's one read alike.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from contextlib import suppress
from datetime import date
from email.utils import formataddr
from typing import Any

import numpy as np
import pandas as pd

from deadlines.explain import reason_facts
from jobs.collector import collector_paused
from jobs.config import Settings
from jobs.corrections import too_late_detail, undelivered_detail
from jobs.inputs import People
from jobs.outbox.ids import correction_message_id, digest_message_id, message_domain, reminder_message_id
from jobs.outbox.queue import Plan, PlannedMessage
from jobs.render import (
    Rendered,
    build_correction_context,
    build_digest_context,
    night_skeletons,
    render,
    render_reminder,
)
from jobs.store import CORRECTION_KEY


def _py(value: Any) -> Any:
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None or kind is date:
        return value
    if kind is float:  # a missing value of a column read as text or numbers is NaN
        return None if value != value else value
    if isinstance(value, pd.Timestamp):
        return value.date()
    if value is pd.NaT or (
        not isinstance(value, str | bytes) and pd.api.types.is_scalar(value) and pd.isna(value)
    ):
        return None
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def _per_day(array: Any, made: Callable[[pd.Timestamp], Any], missing: Any) -> list[Any]:
    """A datetime column as a list read by position like the other columns: `made` of each distinct day once
    (a night's rows share a few hundred days), `missing` for NaT, spread over the rows by numpy, in C."""
    codes, days = pd.factorize(array)  # NaT: code -1, the last of `each`
    each = np.empty(len(days) + 1, dtype=object)
    each[: len(days)] = [made(day) for day in days]
    each[-1] = missing
    return list(each[codes].tolist())


def _dates(array: Any) -> list[Any]:
    """A datetime column as the Timestamps (or NaT) indexing the array gives, each boxed once (a Timestamp is
    immutable)."""
    return _per_day(array, lambda day: day, pd.NaT)


def _days(array: Any) -> list[date | None]:
    """A datetime column as calendar days (None for NaT), as `_py` makes them."""
    return _per_day(array, pd.Timestamp.date, None)


class _Rows:
    """A frame's rows by key, each a plain dict made only when first asked for: the night stays in columns
    (whole columns to lists, which is fast) and only the rows tonight's messages need become dicts.
    A key met twice keeps its last row, as a dict built from all of them would."""

    def __init__(self, frame: pd.DataFrame, keys: list[Any], convert: bool) -> None:
        self._names = [str(c) for c in frame.columns]
        # Dates as the Timestamps tolist would give, without boxing every row's value (see _dates); with
        # `convert`, as the days `_py` makes of them (see _days).
        self._columns = [
            (_days if convert else _dates)(frame[c].array)
            if pd.api.types.is_datetime64_dtype(frame[c].dtype)
            else frame[c].tolist()
            for c in frame.columns
        ]
        # With `convert`, the columns whose values `_py` may change: not those already plain (the days just
        # made; int64 and bool columns, whose `tolist` gives Python ints and bools; text columns without
        # missing values, which give texts).
        self._converted = [
            convert
            and not _plain(frame[c].dtype)
            and not pd.api.types.is_datetime64_dtype(frame[c].dtype)
            and not (isinstance(frame[c].dtype, pd.StringDtype) and not frame[c].hasnans)
            for c in frame.columns
        ]
        self._convert = any(self._converted)
        self._position = dict(zip(keys, range(len(keys)), strict=True))
        self._made: dict[Any, dict[str, Any]] = {}

    def get(self, key: Any, default: Any = None) -> Any:
        row = self._made.get(key)
        if row is not None:
            return row
        at = self._position.get(key)
        if at is None:
            return default
        if self._convert:
            values = [
                _py(column[at]) if converted else column[at]
                for column, converted in zip(self._columns, self._converted, strict=True)
            ]
        else:
            values = [column[at] for column in self._columns]
        row = dict(zip(self._names, values, strict=True))
        self._made[key] = row
        return row

    def __getitem__(self, key: Any) -> dict[str, Any]:
        row = self.get(key)
        if row is None:
            raise KeyError(key)
        return row


def _plain(dtype: Any) -> bool:
    """A numpy int64 or bool column: `tolist` gives plain Python ints and bools, which `_py` keeps as they are
    (a nullable Int64 or boolean column may hold pd.NA: not plain)."""
    return isinstance(dtype, np.dtype) and dtype.kind in "ib"


def _ints(column: pd.Series) -> list[int]:
    """A column as Python ints (`int` of each value), without a Python call per value when it is an int64
    column already (a night's 100,000 windows and families)."""
    values = column.tolist()
    return (
        values
        if isinstance(column.dtype, np.dtype) and column.dtype.kind == "i"
        else [int(v) for v in values]
    )


def _texts(column: pd.Series) -> list[str]:
    """A column as texts (`str` of each value), without a Python call per value when it is a text column
    without missing values."""
    values = column.tolist()
    if isinstance(column.dtype, pd.StringDtype) and not column.hasnans:
        return values
    return [str(v) for v in values]


def _by_id(frame: pd.DataFrame) -> _Rows:
    """People as plain dicts by id, made when first looked up: a lookup per due stage, not a pandas row
    access, and not a dict for every family of the scan."""
    return _Rows(frame, _ints(frame["id"]), convert=True)


def _person(people: _Rows, ident: Any) -> dict[str, Any] | None:
    kind = type(ident)
    if kind is int:  # the most of them: a scalar test (pd.isna) costs more than the lookup
        return people.get(ident)
    if kind is float:  # an id column with a missing value is read as floats
        return None if ident != ident else people.get(int(ident))
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
        recipient_kind="advisor" if kind == "digest" else "beneficiary",
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
        **_family(window, beneficiary),
        "forum": key["forum"],
        "safe_deadline": key["safe_deadline"],
        "days_left": int(window["days_left"]),
        "stage": key["stage"],
    }


def correction_item(
    due: Mapping[str, Any], window: Mapping[str, Any], beneficiary: Mapping[str, Any]
) -> dict[str, Any]:
    """One correction (jobs.corrections) as the notice, the digest and the report show it."""
    return {
        **_item({**due, "safe_deadline": due["new_deadline"], "stage": 0}, window, beneficiary),
        "old_deadline": due["old_deadline"],
        "why": due["why"],
        "late": due.get("late"),
    }


def _family(window: Mapping[str, Any], beneficiary: Mapping[str, Any]) -> dict[str, Any]:
    """A window with its family as the advisor's digest shows it; `phone` is the optional contract column
    `beneficiaries.phone`, read when the people frame has it."""
    return {
        "beneficiary_id": beneficiary["id"],
        "beneficiary_name": beneficiary["full_name"],
        "beneficiary_lang": beneficiary["lang"],
        "beneficiary_phone": beneficiary.get("phone") or "",
        "decision_id": _py(window["decision_id"]),
        "kind": window["kind"],
        "forum": window["forum"],
        "status": window["status"],
        "safe_deadline": _py(window["safe_deadline"]),
        "latest_deadline": _py(window["latest_deadline"]),
        "interrupted_since": _py(window["interrupted_since"]),
        "needs_confirmation": bool(window["needs_confirmation"]),
    }


_KEY = ("decision_id", "forum", "recipient_kind", "recipient_id", "stage", "safe_deadline")
"""A due stage's ledger key, in the order its ledger row and its unreachable row list it."""


class _Planner:
    """Turns tonight's due stages into ledger rows and messages: each stage first, then one digest per advisor."""

    def __init__(
        self,
        windows: pd.DataFrame,
        people: People,
        settings: Settings,
        on: date,
        reminded: Mapping[tuple[int, str], date] | None = None,
    ) -> None:
        self.plan = Plan()
        self.on = on
        # per window: the night of the last reminder delivered to the family (the digest says "last reminded")
        self.reminded: Mapping[tuple[int, str], date] = reminded or {}
        self.domain = message_domain(settings.smtp.sender)
        self.fund = settings.fund.model_dump()
        self.last_stage = min(settings.reminders.beneficiary_days, default=0)
        self.skeletons = night_skeletons()  # reminders rendered once per shape, filled in per family
        self._replies: dict[Any, str | None] = {}  # reply_to, by the family's advisor_id
        keys = zip(_ints(windows["decision_id"]), _texts(windows["forum"]), strict=True)
        self.windows = _Rows(windows, list(keys), convert=False)
        self.beneficiaries, self.advisors = _by_id(people.beneficiaries), _by_id(people.advisors)
        # Why a person's row is not there although the table has it: skipped as a bad row (which column).
        self.skipped: dict[tuple[str, int], str] = {}
        for problem in people.problems:
            if problem.skipped and problem.row_id is not None:
                with suppress(TypeError, ValueError):
                    self.skipped.setdefault((problem.table, int(problem.row_id)), problem.column)
        # per advisor: the items at an advisor stage (with their ledger rows), and the families to call
        self.items: dict[int, list[dict[str, Any]]] = defaultdict(list)
        self.item_rows: dict[int, list[dict[str, Any]]] = defaultdict(list)
        self.to_call: dict[int, list[dict[str, Any]]] = defaultdict(list)
        # the windows whose family reminder is queued tonight (the digest says "e-mailed tonight")
        self.emailed: set[tuple[int, str]] = set()
        # per advisor: tonight's corrections (with their rows); the series a correction told tonight
        self.corrections: dict[int, list[dict[str, Any]]] = defaultdict(list)
        self.correction_rows: dict[int, list[dict[str, Any]]] = defaultdict(list)
        self.corrected: set[tuple[int, str, date, int]] = set()
        # per advisor: their families' windows in grace or interrupted by an open complaint
        self.others: dict[int, list[dict[str, Any]]] = defaultdict(list)
        shown = windows[windows["status"].isin(("grace", "interrupted"))]  # only these become dicts
        for d, f in zip(shown["decision_id"].tolist(), shown["forum"].tolist(), strict=True):
            w = self.windows[(int(d), str(f))]
            family = _person(self.beneficiaries, w["beneficiary_id"])
            advisor_id = None if family is None else family.get("advisor_id")
            if family is not None and advisor_id is not None:
                self.others[int(advisor_id)].append(_family(w, family))

    def absent(self, table: str, row_id: Any) -> str:
        """Why a person's row is not there: skipped as a bad row (the report lists it), or missing."""
        who = "beneficiary" if table == "beneficiaries" else "advisor"
        column = self.skipped.get((table, int(row_id))) if pd.notna(row_id) else None
        if column is not None:
            return f"{who} row skipped as a bad row ({column}): see the bad rows"
        return f"{who} row missing"

    def stage(self, row: dict[str, Any], send: bool) -> None:
        """One due stage: `row` its ledger row as build_plan made it (its key first, then skipped until
        planned), `send` whether it is the stage to send (else a more urgent one of its window is due)."""
        key = row  # the key's values are the row's first ones (_KEY); a copy of them only where one is kept
        self.plan.ledger.append(row)
        if not send:
            row["detail"] = "a more urgent stage was due at the same time"
            return
        series = (key["decision_id"], key["forum"], key["safe_deadline"], key["recipient_id"])
        if key["recipient_kind"] == "beneficiary" and series in self.corrected:
            row["detail"] = "the correction notice gave the new deadline tonight"
            return
        window = self.windows[(key["decision_id"], key["forum"])]
        days_left = int(window["days_left"])
        beneficiary = _person(self.beneficiaries, window["beneficiary_id"])
        if beneficiary is None:
            # The decision names a beneficiary the fund's table does not have: a data problem to chase.
            reason = self.absent("beneficiaries", window["beneficiary_id"])
            row.update(status="unreachable", detail=reason)
            key = {k: row[k] for k in _KEY}
            self.plan.unreachable.append(
                {**key, "days_left": days_left, "beneficiary_name": f"(beneficiary {window['beneficiary_id']} {'skipped' if 'skipped' in reason else 'missing'})",
                 "reason": reason, "advisor_id": None}
            )  # fmt: skip
            return
        if key["recipient_kind"] == "advisor":
            self.items[key["recipient_id"]].append(_item(key, window, beneficiary))
            self.item_rows[key["recipient_id"]].append(row)
            return
        advisor = _person(self.advisors, beneficiary.get("advisor_id"))
        if beneficiary["address"] is None:
            reason = beneficiary["address_problem"] or "missing"
            row.update(status="unreachable", detail=f"{reason} e-mail address")
            listed = {
                **_item(key, window, beneficiary),
                "reason": reason,
                "beneficiary_id": beneficiary["id"],
            }
            self.plan.unreachable.append({**listed, "advisor_id": beneficiary.get("advisor_id")})
            if advisor is not None:
                self.to_call[int(advisor["id"])].append(listed)
            return
        lang = beneficiary["lang"]
        rendered = self.render_reminder(_reminder_view(key, window, days_left), beneficiary, advisor)
        message_id = reminder_message_id(key, self.domain)
        row.update(status="queued", message_id=message_id)
        self.emailed.add((key["decision_id"], key["forum"]))
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
        advisor_id = beneficiary.get("advisor_id")
        if advisor_id in self._replies:  # an advisor's families share it: made once per advisor a night
            return self._replies[advisor_id]
        advisor = _person(self.advisors, advisor_id)
        made: str | None
        if advisor is not None and advisor["address"] is not None:
            made = formataddr((str(advisor["full_name"]), str(advisor["address"])))
        else:
            email = str(self.fund.get("email") or "").strip()
            made = formataddr((str(self.fund.get("name") or ""), email)) if email else None
        self._replies[advisor_id] = made
        return made

    def correction(self, due: dict[str, Any]) -> None:
        """A correction notice to the family (jobs.corrections), and its line in the advisor's digest. With
        `called`: a notice of an earlier night that expired undelivered (jobs.outbox.settle.expired_held):
        no new notice, its ledger row gets the reason and tonight's digest lists the family to call."""
        row = {**due, "due_on": self.on, "status": "unreachable", "detail": None, "message_id": None,
               "digest_message_id": None}  # fmt: skip
        if due.get("called"):
            row = {k: due[k] for k in CORRECTION_KEY} | {
                "detail": undelivered_detail(
                    due["old_deadline"], due["new_deadline"], due["latest_deadline"]
                ),
                "digest_message_id": None,
            }
            self.plan.called.append(row)
        else:
            self.plan.corrections.append(row)
        window = self.windows[(due["decision_id"], due["forum"])]
        beneficiary = _person(self.beneficiaries, window["beneficiary_id"])
        if beneficiary is None:
            row["detail"] = self.absent("beneficiaries", window["beneficiary_id"])
            return
        item = correction_item(due, window, beneficiary)
        advisor = _person(self.advisors, beneficiary.get("advisor_id"))
        if due.get("late") == "expired" or due.get("called"):
            # Nothing is possible any more: no mail to the family; the advisor's digest and the report list
            # the family to call, with the reason.
            if not due.get("called"):
                row["detail"] = too_late_detail(due["new_deadline"], due["latest_deadline"])
            if advisor is not None:
                self.corrections[int(advisor["id"])].append(item)
                self.correction_rows[int(advisor["id"])].append(row)
            return
        if beneficiary["address"] is None:
            # No usable address: the advisor's digest lists the family to write to or call, as for a reminder.
            reason = beneficiary["address_problem"] or "missing"
            row["detail"] = f"{reason} e-mail address"
            if advisor is not None:
                self.to_call[int(advisor["id"])].append(
                    {**item, "reason": reason, "beneficiary_id": beneficiary["id"]}
                )
            return
        if advisor is not None:
            self.corrections[int(advisor["id"])].append(item)
            self.correction_rows[int(advisor["id"])].append(row)
        lang = beneficiary["lang"]
        rendered = self.render_correction(window, item, beneficiary, advisor)
        message_id = correction_message_id(due, self.domain)
        row.update(status="queued", message_id=message_id)
        self.corrected.add((due["decision_id"], due["forum"], due["new_deadline"], int(beneficiary["id"])))
        summary = (
            f"correction to beneficiary {beneficiary['id']} <{beneficiary['address']}> [{lang}] "
            f"decision {due['decision_id']} {due['forum']} deadline {due['old_deadline']} -> {due['new_deadline']}"
        )
        # A notice about a safe deadline already past is still worth sending until the latest deadline.
        not_after = due["latest_deadline"] if due.get("late") else due["new_deadline"]
        self.plan.messages.append(
            _message(
                "correction",
                beneficiary,
                rendered,
                message_id,
                not_after,
                summary,
                self.reply_to(beneficiary),
            )
        )

    def render_correction(
        self,
        window: dict[str, Any],
        item: dict[str, Any],
        beneficiary: dict[str, Any],
        advisor: dict[str, Any] | None,
    ) -> Rendered:
        """A correction notice as it reads tonight (also for one an outage held: jobs.outbox.settle)."""
        view = _view(window, item)
        lang = beneficiary["lang"]
        return render(
            "correction", lang, build_correction_context(view, beneficiary, advisor, self.fund, lang)
        )

    def render_reminder(
        self, view: dict[str, Any], beneficiary: dict[str, Any], advisor: dict[str, Any] | None
    ) -> Rendered:
        """A reminder as it reads tonight; `view`: its window as _reminder_view gives it."""
        return render_reminder(
            view, beneficiary, advisor, self.fund, beneficiary["lang"], self.last_stage, self.skeletons
        )

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
        view = _reminder_view(key, window, int(window["days_left"]))
        return self.render_reminder(view, beneficiary, advisor), beneficiary

    def render_digest(
        self,
        advisor: dict[str, Any],
        items: list[dict[str, Any]],
        to_call: list[dict[str, Any]],
        emailed: set[tuple[int, str]],
        corrected: list[dict[str, Any]] | None = None,
    ) -> Rendered:
        """An advisor's digest: tonight's items and families to call, with their families' windows in grace,
        open complaints and tonight's corrections (a deadline a family was given changed)."""
        lang = advisor["lang"]
        corrections = [{**c, "new_deadline": c["safe_deadline"]} for c in corrected or []]
        context = build_digest_context(
            advisor, items, to_call, self.on, self.fund, lang, emailed=emailed,
            others=self.others.get(int(advisor["id"]), []), corrections=corrections, reminded=self.reminded,
        )  # fmt: skip
        return render("digest", lang, context)

    def digests(self) -> None:
        # The windows e-mailed tonight, as the digest compares them, made once: a digest asks only about its
        # own items, so each gets those of its items (not the whole night's set, read again per advisor).
        sent = {(int(d), str(f)) for d, f in self.emailed}
        for advisor_id in sorted(set(self.items) | set(self.to_call) | set(self.corrections)):
            advisor = _person(self.advisors, advisor_id)
            items, rows, to_call = (
                self.items[advisor_id],
                self.item_rows[advisor_id],
                self.to_call[advisor_id],
            )
            corrected = self.corrections[advisor_id]
            if advisor is None or advisor["address"] is None:
                reason = (
                    self.absent("advisors", advisor_id)
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
            emailed = {(int(i["decision_id"]), str(i["forum"])) for i in items} & sent
            rendered = self.render_digest(advisor, items, to_call, emailed, corrected)
            lang = advisor["lang"]
            keys = [reminder_message_id(r, self.domain) for r in rows]
            keys += [f"u{u['decision_id']}.{u['forum']}.{u['stage']}" for u in to_call]
            keys += [correction_message_id(r, self.domain) for r in self.correction_rows[advisor_id]]
            message_id = digest_message_id(advisor_id, self.on, keys, self.domain)
            for row in rows:
                row.update(status="queued", message_id=message_id)
            for row in self.correction_rows[advisor_id]:
                row["digest_message_id"] = message_id
            summary = (
                f"digest    to advisor {advisor_id} <{advisor['address']}> [{lang}] "
                f"{len(items)} window(s) at an advisor stage, {len(to_call)} without e-mail"
                + (f", {len(corrected)} correction(s)" if corrected else "")
            )
            not_after = digest_not_after(items + to_call, corrected, self.on)
            self.plan.messages.append(_message("digest", advisor, rendered, message_id, not_after, summary))


def digest_not_after(items: list[dict[str, Any]], corrected: list[dict[str, Any]], on: date) -> date:
    """Until when a digest is worth sending: its last safe deadline, a correction's latest deadline when its
    new safe deadline has passed already, and at least tonight (a family to call is news tonight)."""
    days = [i["safe_deadline"] for i in items]
    days += [c["latest_deadline"] if c.get("late") else c["safe_deadline"] for c in corrected]
    return max([*days, on])


def build_plan(
    actions: pd.DataFrame,
    windows: pd.DataFrame,
    people: People,
    settings: Settings,
    on: date,
    corrections: list[dict[str, Any]] | None = None,
    reminded: Mapping[tuple[int, str], date] | None = None,
) -> Plan:
    """Render tonight's messages. The loop runs over due stages (tens or hundreds a night), not decisions.
    `corrections` (jobs.corrections.due_corrections) go first: a family told the new deadline by a
    correction tonight gets no reminder of that new deadline the same night. `reminded`
    (jobs.corrections.last_reminded): per window, the night its family was last reminded."""
    with collector_paused():
        planner = _Planner(windows, people, settings, on, reminded)
        for due in corrections or []:
            planner.correction(due)
        # Column by column (`tolist`), not `to_dict("records")`, which boxes value by value, and no dict per
        # action: each stage's ledger row is made here, once, from the key's columns as plain Python values
        # (`_py` only on a column whose `tolist` may not give them), the deadline as a day (None for NaT),
        # each distinct day made once.
        if len(actions):
            key = [_key_column(actions[name]) for name in _KEY[:-1]]
            deadline = actions["safe_deadline"]
            days = (
                _days(deadline.array)
                if pd.api.types.is_datetime64_dtype(deadline.dtype)
                else [d if type(d) is date else _py(pd.Timestamp(d)) for d in deadline.tolist()]
            )
            sends = [a == "send" for a in actions["action"].tolist()]
            rearms = actions["rearm"].tolist() if "rearm" in actions.columns else [None] * len(actions)
            for d, f, kind, rid, st, day, send, rearm in zip(*key, days, sends, rearms, strict=True):
                row = {"decision_id": d, "forum": f, "recipient_kind": kind, "recipient_id": rid,
                       "stage": st, "safe_deadline": day,
                       "due_on": on, "status": "skipped", "detail": None, "message_id": None}  # fmt: skip
                if rearm:  # a key already in the ledger, planned again (jobs.due; queue.write_plan)
                    row["rearm"] = True
                planner.stage(row, send)
        planner.digests()
        return planner.plan


def _key_column(column: pd.Series) -> list[Any]:
    """A column of the actions' key as plain Python values, as `_py` makes each (see _plain)."""
    values = column.tolist()
    return values if _plain(column.dtype) else [_py(v) for v in values]


def _view(window: dict[str, Any], item: dict[str, Any]) -> dict[str, Any]:
    """What a reminder or a correction says of its window: the facts of its reason, the stage's or the
    correction's own `item`, the decision's date and its reference (decisions.reference, when the input
    carries it). reason_facts gives plain values already (days as dates or None, texts, an int)."""
    return {
        **reason_facts(window),
        **item,
        "decided_on": _py(window.get("decided_on")),
        "reference": _py(window.get("reference")),
    }


def _reminder_view(key: Mapping[str, Any], window: dict[str, Any], days_left: int) -> dict[str, Any]:
    """What a reminder says of its window (`_view` of its `_item`, the fields the reminder reads): the facts
    of its reason, and the stage's own key (forum, safe deadline, stage) and days left."""
    return {
        **reason_facts(window),
        "decision_id": _py(window["decision_id"]),
        "kind": window["kind"],
        "forum": key["forum"],
        "safe_deadline": key["safe_deadline"],
        "latest_deadline": _py(window["latest_deadline"]),
        "days_left": days_left,
        "stage": key["stage"],
        "decided_on": _py(window.get("decided_on")),
        "reference": _py(window.get("reference")),
    }
