"""The supervisor report of a night: what the job saw, sent and could not do.

Written to `[report] out_dir/<day>/`: `report.html` for people, CSV files for spreadsheets and scripts:
`windows.csv` (every window scanned, with both deadlines), `grace.csv` (windows past the safe deadline but not
the latest: an appeal may still be admissible), `unreachable.csv` (families and advisors to write to or call),
`corrections.csv` (tonight's corrections of a deadline a family was given),
`problems.csv` (bad rows of the fund's tables, skipped one by one) and `deliveries.csv` (tonight's messages).
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.numbers import format_decimal
from sqlalchemy import Connection, Engine, func, select

from deadlines.calendar import next_working_day
from deadlines.rules import RULES
from deadlines.validate import Problem
from deadlines.vocabulary import FORUMS
from jobs.config import Settings
from jobs.folders import report_folder
from jobs.inputs import read_by_ids, read_people
from jobs.outbox.ids import report_message_prefix
from jobs.outbox.queue import queue_report_mail
from jobs.phrases import phrases
from jobs.render import render_page
from jobs.report_cells import WINDOW_COLUMNS, csv_cell, window_records
from jobs.store import as_date, corrections, messages, reminders, runs
from jobs.workbook import Sheet, write_workbook


def _write_atomic(path: Path, text: str) -> None:
    """Write beside the target and rename: a reader never sees half a report."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    os.fchmod(fd, 0o600)  # names of families and advisors: readable by the owner only, whatever the umask
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)
    os.replace(tmp, path)


def _csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
    _write_atomic(path, buffer.getvalue())


TO_CALL_COLUMNS = [
    "decision_id", "forum", "safe_deadline", "days_left", "stage", "who", "recipient_id", "name", "reason",
    "advisor_id",
]  # fmt: skip
DELIVERY_COLUMNS = [
    "message_id", "kind", "recipient_kind", "recipient_id", "language", "status", "attempts", "answer"
]  # fmt: skip


def _names(conn: Connection, table: str, ids: set[int]) -> dict[int, tuple[str, Any]]:
    """(full_name, advisor_id or None) by id, read with the same bound-id queries as the night's run."""
    if not ids:
        return {}
    columns = ["id", "full_name", "advisor_id"] if table == "beneficiaries" else ["id", "full_name"]
    frame = read_by_ids(conn, f"{table}_of", ids, columns)
    return {int(r["id"]): (r["full_name"], r.get("advisor_id")) for r in frame.to_dict("records")}


def _to_call(conn: Connection, on: date, windows: pd.DataFrame) -> list[list[Any]]:
    """Who needs a letter or a call, read from the ledger, so that a rerun of the night reports the same.

    Stages due tonight without a usable address; reminders refused by the server or expired in the outbox
    whose window is still open or in grace (the family still has time and was not told); and reminders
    that expired in the outbox in the last two weeks, even past the latest deadline (the family was not told).
    """
    alive = windows[windows["status"].isin(["open", "grace"])]
    live = {
        (int(d), str(f), pd.Timestamp(sd).date())
        for d, f, sd in zip(alive["decision_id"], alive["forum"], alive["safe_deadline"], strict=True)
    }
    unreachable = (
        conn.execute(select(reminders).where(reminders.c.due_on == on, reminders.c.status == "unreachable"))
        .mappings()
        .all()
    )
    missed = (
        conn.execute(
            select(reminders, messages.c.status.label("message_status"), messages.c.last_answer)
            .join(messages, messages.c.id == reminders.c.message_pk)
            .where(messages.c.status.in_(("failed", "expired")), messages.c.kind == "reminder")
        )
        .mappings()
        .all()
    )
    rows = [(r, str(r["detail"] or "")) for r in unreachable]
    rows += [
        (r, f"{'refused by the mail server' if r['message_status'] == 'failed' else 'not sent before its deadline'}: {r['last_answer']}")
        for r in missed
        if (int(r["decision_id"]), str(r["forum"]), as_date(r["safe_deadline"])) in live
        # a reminder that never went out before a deadline of the last two weeks: the family was not told
        or (r["message_status"] == "expired" and as_date(r["safe_deadline"]) >= on - timedelta(days=14))
    ]  # fmt: skip
    people = _names(
        conn,
        "beneficiaries",
        {int(r["recipient_id"]) for r, _ in rows if r["recipient_kind"] == "beneficiary"},
    )
    advisors = _names(
        conn, "advisors", {int(r["recipient_id"]) for r, _ in rows if r["recipient_kind"] == "advisor"}
    )
    out = []
    for r, reason in sorted(rows, key=lambda x: (as_date(x[0]["safe_deadline"]), x[0]["decision_id"])):
        who = str(r["recipient_kind"])
        name, advisor = (people if who == "beneficiary" else advisors).get(
            int(r["recipient_id"]), ("(unknown)", None)
        )
        deadline = as_date(r["safe_deadline"])
        out.append([r["decision_id"], r["forum"], deadline.isoformat(), (deadline - on).days, r["stage"], who,
                    r["recipient_id"], name, reason, None if who == "advisor" else _py_int(advisor)])  # fmt: skip
    return out


def _deliveries(conn: Connection, on: date) -> list[list[Any]]:
    """Messages planned for tonight (reminders, digests, correction notices), those still waiting in the
    outbox, and tonight's report copies; each row ends with the recipient's name (not in the CSV)."""
    planned = _planned(on, on)
    tonight = select(planned.c.message_pk)
    rows = conn.execute(
        select(messages.c.message_id, messages.c.kind, messages.c.recipient_kind, messages.c.recipient_id,
               messages.c.language, messages.c.status, messages.c.attempts, messages.c.last_answer,
               messages.c.to_name, messages.c.to_addr)
        .where(
            messages.c.id.in_(tonight)
            | messages.c.status.in_(("pending", "sending"))
            | messages.c.message_id.like(f"{report_message_prefix(on)}%")
        )
        .order_by(messages.c.id)
    ).all()  # fmt: skip
    return [list(r) for r in rows]


CORRECTION_COLUMNS = [
    "decision_id",
    "forum",
    "beneficiary_id",
    "old_deadline",
    "new_deadline",
    "why",
    "status",
]


def _corrections(conn: Connection, on: date) -> list[list[Any]]:
    """Tonight's corrections (jobs.corrections): a deadline a family was given changed; with the notice's
    status (sent, pending, superseded, ...), `unreachable` when the family has no usable address, or `to_call`
    when nothing was possible any more when the change was seen (no mail: the family to call). Also those of
    earlier nights an outage still holds or tonight settled (superseded, expired), and those tonight's advisor
    digests list (a notice that expired undelivered: the family to call)."""
    settled = messages.c.status.in_(("pending", "sending", "superseded", "expired"))
    digests = (
        select(messages.c.id)
        .join(runs, runs.c.id == messages.c.run_id)
        .where(messages.c.kind == "digest", runs.c.on_date == on)
    )
    rows = conn.execute(
        select(corrections.c.decision_id, corrections.c.forum, corrections.c.recipient_id,
               corrections.c.old_deadline, corrections.c.new_deadline, corrections.c.why, corrections.c.status,
               corrections.c.detail, messages.c.status.label("message_status"))
        .outerjoin(messages, messages.c.id == corrections.c.message_pk)
        .where((corrections.c.due_on == on) | (settled & (corrections.c.due_on >= _shift(on, -7)))
               | corrections.c.digest_pk.in_(digests))
        .order_by(corrections.c.new_deadline, corrections.c.decision_id, corrections.c.id)
    ).all()  # fmt: skip
    return [
        [r.decision_id, r.forum, r.recipient_id, as_date(r.old_deadline).isoformat(),
         as_date(r.new_deadline).isoformat(), r.why,
         r.message_status or ("to_call" if str(r.detail or "").startswith("too late") else r.status)]
        for r in rows
    ]  # fmt: skip


def _py_int(value: Any) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


# --- The supervisors' report: what it says, in the report's language ------------------------------------

ALIVE = ("open", "grace")
CALL_REASONS = ("missing", "invalid", "refused", "expired", "grace", "due")


def _shift(day: date, days: int) -> date:
    """`day` moved by `days`, held at the calendar's ends (`--on 0001-01-01` is a valid, if odd, night)."""
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return date.min if days < 0 else date.max


@dataclass
class Report:
    """What `write_report` wrote: the paths (HTML first, then the folder, then the workbook) and the counts
    the night's exit code and the mail's subject need."""

    paths: list[str]
    uncovered: int = 0  # windows due within 14 days that no reminder was planned for: the night exits 1
    due_this_week: int = 0
    to_call: int = 0
    failed: int = 0
    subject: str = ""
    exit_code: int = 0  # the code the report's first card says: bad rows, failed, expired, waiting, uncovered


def _day(value: Any) -> date | None:
    if value is None or pd.isna(value):  # NaT is a datetime too
        return None
    return pd.Timestamp(value).date()


class Words:
    """The report's words in its language: dates with the weekday, languages, forums, kinds, statuses."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.all = phrases(lang)
        self.t = self.all.report
        self.locale = Locale.parse(self.all.locale)

    def date(self, value: Any) -> str:
        day = _day(value)
        return "" if day is None else babel_format_date(day, "EEEE d MMMM y", locale=self.locale)

    def short(self, value: Any) -> str:
        day = _day(value)
        return "" if day is None else babel_format_date(day, "EEE d MMM y", locale=self.locale)

    def language(self, code: Any) -> str:
        return str(self.locale.languages.get(str(code), str(code or "")))

    def forum(self, forum: Any) -> str:
        body = self.all.bodies.get(str(forum))
        return body.short if body else str(forum or "")

    def kind(self, kind: Any) -> str:
        said = self.all.kinds.get(str(kind))
        label = said.label if said else str(kind or "")
        return label[:1].upper() + label[1:]

    def word(self, key: str, **fields: Any) -> str:
        """The phrase `key` with its fields; its singular `<key>_one`, where the language has one, when the
        count it says (`n`, or `days`) is 1: "1 overzichtsmail", "gisteren", never "1 dagen"."""
        count = fields.get("n", fields.get("days"))
        if count == 1 and f"{key}_one" in self.t.words:
            key = f"{key}_one"
        return self.t.words[key].format(**fields)

    def table(self, name: Any) -> str:
        """The fund's table a bad row is in, as a reader names it ("beslissingen"), not its SQL name."""
        return self.t.words.get(f"table_{name}", str(name))


def problem_words(problem: Problem, w: Words) -> str:
    """A bad row's problem as the report says it, by the stable codes of its issues (never by matching its
    English message, which is for problems.csv and may be reworded): in the report's language, a column by
    what it holds, a date in words, a language by its name. Several issues of one row stay apart ("; "). A
    problem without codes, or a code without words, is shown as its message says it."""
    said = []
    for issue in problem.issues:
        phrase = w.t.words.get(f"pr_{issue.code}")
        if phrase is None:
            return problem.message
        fields = {k: ("" if v is None else v) for k, v in issue.params.items()}
        if "column" in fields:
            fields["column"] = w.t.words.get(f"col_{fields['column']}", str(fields["column"]))
        if isinstance(fields.get("date"), str):
            with contextlib.suppress(ValueError):
                fields["date"] = date.fromisoformat(fields["date"])
        if isinstance(fields.get("date"), date):
            fields["date"] = w.date(fields["date"])
        if "lang" in fields:
            fields["lang"] = w.language(fields["lang"])
        said.append(phrase.format(**fields))
    return "; ".join(said) if said else problem.message


def _ledger(conn: Connection, on: date) -> dict[Any, list[dict[str, Any]]]:
    """Every family reminder stage of the windows that can still matter, with its message's fate."""
    rows = (
        conn.execute(
            select(
                reminders.c.decision_id, reminders.c.forum, reminders.c.safe_deadline, reminders.c.status,
                reminders.c.detail, reminders.c.due_on, messages.c.status.label("message_status"),
                messages.c.last_answer, messages.c.sent_at,
            )
            .select_from(reminders.outerjoin(messages, messages.c.id == reminders.c.message_pk))
            .where(reminders.c.recipient_kind == "beneficiary", reminders.c.safe_deadline >= _shift(on, -60))
        )
        .mappings()
        .all()
    )  # fmt: skip
    out: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        out[(int(r["decision_id"]), str(r["forum"]), as_date(r["safe_deadline"]))].append(dict(r))
    # A correction notice told the family the new deadline (and how to file): it covers that window as a
    # reminder would, and the reminder due that night was skipped for it.
    told = (
        conn.execute(
            select(
                corrections.c.decision_id, corrections.c.forum, corrections.c.new_deadline.label("safe_deadline"),
                corrections.c.status, corrections.c.detail, corrections.c.due_on,
                messages.c.status.label("message_status"), messages.c.last_answer, messages.c.sent_at,
            )
            .select_from(corrections.outerjoin(messages, messages.c.id == corrections.c.message_pk))
            .where(corrections.c.recipient_kind == "beneficiary", corrections.c.new_deadline >= _shift(on, -60))
        )
        .mappings()
        .all()
    )  # fmt: skip
    for r in told:
        out[(int(r["decision_id"]), str(r["forum"]), as_date(r["safe_deadline"]))].append(dict(r))
    return out


def _planned(since: date, until: date) -> Any:
    """(due_on, message_pk) of every message the nights from `since` to `until` planned: family reminders,
    advisors' digests (one row per stage folded into one), correction notices; never the report's mail."""
    return (
        select(reminders.c.due_on, reminders.c.message_pk)
        .where(reminders.c.due_on.between(since, until), reminders.c.message_pk.is_not(None))
        .union(
            select(corrections.c.due_on, corrections.c.message_pk).where(
                corrections.c.due_on.between(since, until), corrections.c.message_pk.is_not(None)
            )
        )
        .subquery()
    )


def _night_counts(conn: Connection, planned: Any, since: date, until: date) -> dict[date, dict[str, int]]:
    """Per night: its messages sent, failed and still waiting as the ledger holds them now, and the stages it
    skipped by the catch-up rule. The same source for every night, tonight included."""
    out: dict[date, dict[str, int]] = defaultdict(
        lambda: {"sent": 0, "skipped": 0, "failed": 0, "waiting": 0}
    )
    fates = conn.execute(
        select(planned.c.due_on, messages.c.status, func.count(func.distinct(messages.c.id)))
        .join(messages, messages.c.id == planned.c.message_pk)
        .group_by(planned.c.due_on, messages.c.status)
    ).all()
    column = {"sent": "sent", "failed": "failed", "pending": "waiting", "sending": "waiting"}
    for day, status, n in fates:
        if str(status) in column:
            out[as_date(day)][column[str(status)]] += int(n)
    skipped = conn.execute(
        select(reminders.c.due_on, func.count())
        .where(reminders.c.due_on.between(since, until), reminders.c.status == "skipped")
        .group_by(reminders.c.due_on)
    ).all()
    for day, n in skipped:
        out[as_date(day)]["skipped"] += int(n)
    return dict(out)


def _working_days_ahead(on: date, n: int) -> date:
    day = on
    for _ in range(n):
        try:
            day = next_working_day(_shift(day, 1))
        except (OverflowError, ValueError):
            return date.max
    return day


def _coverage(
    window: dict[str, Any], stages: list[dict[str, Any]], address_problem: str | None
) -> tuple[str, str]:
    """("emailed" | "call" | "uncovered" | "", reason) for one open or grace window."""
    fates = {str(s["message_status"]) for s in stages if s["message_status"] is not None}
    if "sent" in fates:
        return "emailed", ""
    if "failed" in fates:
        return "call", "refused"
    if "expired" in fates:
        return "call", "expired"
    unreachable = [s for s in stages if s["status"] == "unreachable"]
    if unreachable or (address_problem and window["status"] == "open" and window["days_left"] <= 7):
        return "call", address_problem or "missing"
    if window["status"] == "grace":
        return "call", "grace"
    if fates & {"pending", "sending"}:
        return "uncovered", "unc_waiting"
    if "superseded" in fates:
        # Its due stage is in the ledger, so it is never planned again; but its reminder never went out: the
        # window changed (appealed, interrupted) while it waited, and has since come back as it was.
        return "uncovered", "unc_superseded"
    return "uncovered", "unc_none"


def _correction_rows(corrected: Sequence[Sequence[Any]], lang: str) -> list[dict[str, Any]]:
    """Tonight's corrections (`_corrections`' rows) as the report's section shows them, in its language."""
    w = Words(lang)
    return [
        {"decision": r[0], "forum": w.forum(r[1]), "was": w.date(r[3]), "now": w.date(r[4]),
         "why": w.t.words.get(f"why_{r[5]}", str(r[5])),
         "state": w.word("corr_to_call") if r[6] == "to_call" else w.t.words.get(f"msg_{r[6]}", str(r[6]))}
        for r in corrected
    ]  # fmt: skip


def build_report(
    engine: Engine, settings: Settings, on: date, windows: pd.DataFrame, bad_rows: Sequence[Problem]
) -> dict[str, Any]:
    """Everything the report shows, as plain rows and numbers: the template and the workbook arrange it."""
    from jobs import charts  # matplotlib, imported when a report is built (not by `windows`, say)

    w = Words(settings.report.language)
    with engine.connect() as conn:
        ledger = _ledger(conn, on)
        people = read_people(
            conn, windows["beneficiary_id"].dropna().tolist(), settings.reminders.fallback_language
        )
        stage_counts: dict[str, int] = dict(
            conn.execute(
                select(reminders.c.recipient_kind + ":" + reminders.c.status, func.count())
                .where(reminders.c.due_on == on)
                .group_by(reminders.c.recipient_kind, reminders.c.status)
            ).all()
        )
        digests = conn.execute(
            select(func.count(func.distinct(reminders.c.message_pk))).where(
                reminders.c.due_on == on,
                reminders.c.recipient_kind == "advisor",
                reminders.c.message_pk.is_not(None),
            )
        ).scalar_one()
        planned = _planned(_shift(on, -29), on)
        tonight_ids = select(planned.c.message_pk).where(planned.c.due_on == on)
        per_night = _night_counts(conn, planned, _shift(on, -29), on)
        trouble = (
            conn.execute(
                select(messages)
                .where(
                    messages.c.kind != "report",
                    (
                        messages.c.id.in_(tonight_ids)
                        & messages.c.status.in_(("failed", "expired", "pending", "sending"))
                    )
                    | messages.c.status.in_(("pending", "sending"))
                    | ((messages.c.status == "expired") & (messages.c.not_after >= _shift(on, -7))),
                )
                .order_by(messages.c.id)
            )
            .mappings()
            .all()
        )
        run_rows = (
            conn.execute(
                select(runs)
                .where(runs.c.command == "run", runs.c.on_date >= _shift(on, -60), runs.c.on_date <= on)
                .order_by(runs.c.id)
            )
            .mappings()
            .all()
        )
    # None, not NaN, where a value is missing: NaN is true in `x or ""`.
    families = people.beneficiaries.astype(object).where(people.beneficiaries.notna(), None)
    advisors = people.advisors.astype(object).where(people.advisors.notna(), None)
    fam: dict[int, Any] = {int(i): r for i, r in families.to_dict("index").items()}  # type: ignore[call-overload]
    adv: dict[int, Any] = {int(i): r for i, r in advisors.to_dict("index").items()}  # type: ignore[call-overload]

    def advisor_of(bid: int) -> Any:
        a = fam.get(bid, {}).get("advisor_id")
        return adv.get(int(a)) if a is not None and not pd.isna(a) else None

    records: list[dict[str, Any]] = windows.to_dict("records")  # type: ignore[assignment]
    for r in records:
        r["decision_id"], r["beneficiary_id"] = int(r["decision_id"]), int(r["beneficiary_id"])
        r["safe"], r["latest"] = _day(r.get("safe_deadline")), _day(r.get("latest_deadline"))
        r["days_left"] = (
            None if r.get("days_left") is None or pd.isna(r["days_left"]) else int(r["days_left"])
        )
        r["reference"] = r.get("reference") or ""
        key = (r["decision_id"], str(r["forum"]), r["safe"]) if r["safe"] else None
        stages = ledger.get(key, []) if key else []
        r["reminded"] = any(s["message_status"] == "sent" for s in stages)
        r["cover"], r["why"] = ("", "")
        if r["status"] in ALIVE:
            family = fam.get(r["beneficiary_id"], {})
            r["cover"], r["why"] = _coverage(
                r, stages, family.get("address_problem") if family else "missing"
            )
    alive = [r for r in records if r["status"] in ALIVE]
    call_windows = [r for r in alive if r["cover"] == "call"]

    def family_cells(bid: int) -> dict[str, Any]:
        f = fam.get(bid)
        a = advisor_of(bid)
        return {
            "id": bid,
            "name": str(f["full_name"]) if f else f"({bid})",
            "language": w.language(f["lang"]) if f else "",
            "phone": (f.get("phone") or "") if f else "",
            "address": (f.get("postal_address") or "") if f else "",
            "advisor": str(a["full_name"]) if a else w.word("no_advisor"),
            "team": str(a.get("team") or "") if a else "",
        }

    def dated(day: date | None) -> str:
        """A date in words, "(vandaag)" after it when it is the night's own day (a last day that is today)."""
        said = w.date(day)
        return f"{said} ({w.word('today')})" if day is not None and day == on else said

    def decision_cells(r: dict[str, Any]) -> dict[str, Any]:
        return {
            "decision_id": r["decision_id"],
            "reference": r["reference"],
            "kind": w.kind(r["kind"]),
            "forum": w.forum(r["forum"]),
            "safe": r["safe"],
            "latest": r["latest"],
            "safe_text": dated(r["safe"]),
            "latest_text": dated(r["latest"]),
            "days_left": r["days_left"],
            "reminded": w.word("reminded") if r["reminded"] else w.word("never_reminded"),
            "reason": w.word(f"reason_{r['why']}") if r["why"] in CALL_REASONS else "",
            "status": w.word(f"win_{r['status']}"),
        }

    # 2. Act today
    last_day = _working_days_ahead(on, 2)
    grace_soon = [
        {**family_cells(r["beneficiary_id"]), **decision_cells(r)}
        for r in sorted(alive, key=lambda r: (r["latest"] or date.max, r["decision_id"]))
        if r["status"] == "grace" and r["latest"] is not None and r["latest"] <= last_day
    ]
    due_unreminded = [
        {**family_cells(r["beneficiary_id"]), **decision_cells(r)}
        for r in sorted(alive, key=lambda r: (r["safe"] or date.max, r["decision_id"]))
        if r["status"] == "open" and r["days_left"] is not None and r["days_left"] <= 7 and not r["reminded"]
    ]
    by_family: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for r in sorted(call_windows, key=lambda r: (r["safe"] or date.max, r["decision_id"])):
        by_family[r["beneficiary_id"]].append(decision_cells(r))
    call_families = [{**family_cells(bid), "decisions": ds} for bid, ds in by_family.items()]
    advisor_problems: list[dict[str, Any]] = []
    seen: set[int] = set()
    for r in alive:
        a = advisor_of(r["beneficiary_id"])
        if a is not None and a.get("address_problem") and int(a["id"]) not in seen:
            seen.add(int(a["id"]))
            advisor_problems.append(
                {
                    "advisor": str(a["full_name"]),
                    "team": str(a.get("team") or ""),
                    "email": str(a.get("email") or ""),
                    "reason": w.word(f"adv_{a['address_problem']}"),
                }
            )
    for m in trouble:
        if m["kind"] == "digest" and m["status"] in ("failed", "expired"):
            a = adv.get(int(m["recipient_id"])) if m["recipient_id"] is not None else None
            advisor_problems.append(
                {
                    "advisor": m["to_name"],
                    "team": str(a.get("team") or "") if a else "",
                    "email": m["to_addr"],
                    # an expired digest was never refused: its deadlines passed while it waited (the ledger
                    # keeps no server answer for it, only that); a refused one, with the server's answer
                    "reason": w.word("adv_expired")
                    if m["status"] == "expired"
                    else f"{w.word('adv_refused')}: {m['last_answer'] or ''}",
                }
            )

    # 3. Coverage
    coverage = []
    uncovered_rows = []
    for days in (7, 14):
        due = [
            r
            for r in alive
            if r["status"] == "open" and r["days_left"] is not None and 0 <= r["days_left"] <= days
        ]
        counts = {c: sum(1 for r in due if r["cover"] == c) for c in ("emailed", "call", "uncovered")}
        coverage.append({"days": days, "due": len(due), "emailed": counts["emailed"], "to_call": counts["call"], "uncovered": counts["uncovered"],
                         "line": w.word("coverage_line", days=days, n=len(due), a=counts["emailed"], b=counts["call"], c=counts["uncovered"])})  # fmt: skip
        if days == 14:
            uncovered_rows = [
                {
                    **family_cells(r["beneficiary_id"]),
                    **decision_cells(r),
                    "reason": w.word(r["why"]),
                    "why": r["why"],
                }
                for r in due
                if r["cover"] == "uncovered"
            ]

    # 4. Load
    load: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    without_advisor: set[int] = set()
    for r in alive:
        a = advisor_of(r["beneficiary_id"])
        if a is None:
            without_advisor.add(r["beneficiary_id"])
        who = (str(a["full_name"]), str(a.get("team") or "")) if a else (w.word("no_advisor"), "")
        c = load[who]
        if r["status"] == "open":
            c["open"] += 1
            c["due7"] += int(r["days_left"] is not None and r["days_left"] <= 7)
            c["due14"] += int(r["days_left"] is not None and r["days_left"] <= 14)
        else:
            c["grace"] += 1
        c["to_call"] += int(r["cover"] == "call")
    cols = ("open", "due7", "due14", "to_call", "grace")
    load_advisors: list[dict[str, Any]] = [
        {"advisor": k[0], "team": k[1], **{col: load[k][col] for col in cols}} for k in sorted(load)
    ]
    teams: dict[str, Counter[str]] = defaultdict(Counter)
    for line in load_advisors:
        for col in cols:
            teams[line["team"] or w.word("no_advisor")][col] += line[col]
    load_teams = [{"team": t, **{col: teams[t][col] for col in cols}} for t in sorted(teams)]

    # 5. Next 12 weeks
    monday = _shift(on, -on.weekday())
    forums: list[str] = list(FORUMS)
    weeks: list[dict[str, Any]] = []
    for i in range(12):
        start = _shift(monday, i * 7)
        per = {
            f: sum(
                1
                for r in alive
                if r["status"] == "open"
                and r["forum"] == f
                and r["safe"]
                and start <= r["safe"] < _shift(start, 7)
            )
            for f in forums
        }
        week: dict[str, Any] = {"start": start, "label": w.short(start), "total": sum(per.values())}
        weeks.append({**week, **per})
    forum_names = {f: w.forum(f) for f in forums}
    weeks_chart = charts.stacked_bars(
        [x["label"] for x in weeks],
        {forum_names[f]: [x[f] for x in weeks] for f in forums},
        w.t.headings["weeks"],
    )

    # 6. Last 30 nights and tonight, all from the ledger (what became of each night's messages and stages):
    # the run log's counts would include report mails and freeze "waiting" at the end of each run.
    ran_nights = {as_date(r["on_date"]) for r in run_rows if r["status"] != "refused"}
    empty = {"sent": 0, "skipped": 0, "failed": 0, "waiting": 0}
    tonight_counts = per_night.get(on, empty)
    nights: list[dict[str, Any]] = []
    for i in range(29, 0, -1):
        day = _shift(on, -i)
        if day in ran_nights or day in per_night:
            nights.append({"day": day, "label": w.short(day), **per_night.get(day, empty), "tonight": False})
    history = list(nights)
    nights.append(
        {"day": on, "label": f"{w.short(on)} ({w.word('tonight')})", **tonight_counts, "tonight": True}
    )
    cnames = w.t.columns
    nights_chart = charts.lines(
        [n["label"] for n in nights],
        {cnames[k]: [n[k] for n in nights] for k in ("sent", "skipped", "failed", "waiting")},
        w.t.headings["nights"],
    )
    if history:
        avg = {
            f"avg_{k}": format_decimal(round(sum(n[k] for n in history) / len(history), 1), locale=w.locale)
            for k in ("sent", "skipped", "failed", "waiting")
        }
        tonight_line = w.word("tonight_line", n=len(history), **tonight_counts, **avg)
    else:
        tonight_line = w.word("no_history", **tonight_counts)

    # 1. Run health
    this_run = next(
        (r for r in reversed(run_rows) if as_date(r["on_date"]) == on and r["status"] != "refused"), None
    )
    earlier = [r for r in run_rows if this_run is None or r["id"] < this_run["id"]]
    previous = next(
        (r for r in reversed(earlier) if as_date(r["on_date"]) < on and r["status"] != "refused"), None
    )
    missed: list[date] = []
    if previous is not None:
        day = _shift(as_date(previous["on_date"]), 1)
        ran = {as_date(r["on_date"]) for r in run_rows if r["status"] != "refused"}
        while day < on:
            if day not in ran:
                missed.append(day)
            day = _shift(day, 1)
    waiting_total = sum(1 for m in trouble if m["status"] in ("pending", "sending"))
    failed_total = sum(1 for m in trouble if m["status"] == "failed")
    expired_total = sum(1 for m in trouble if m["status"] == "expired")
    uncovered = coverage[1]["uncovered"]
    exit_code = 1 if (bad_rows or failed_total or expired_total or waiting_total or uncovered) else 0

    def when(v: Any) -> str:
        return (
            ""
            if v is None
            else pd.Timestamp(v).tz_localize("UTC").tz_convert(settings.schedule.timezone).strftime("%H:%M")
            if pd.Timestamp(v).tzinfo is None
            else pd.Timestamp(v).tz_convert(settings.schedule.timezone).strftime("%H:%M")
        )

    # The run's end: when its reminders and digests were done, recorded before this report was first written
    # (jobs.runlog.record_work_done), so that the report written again by `deliver` or `report --on` says
    # the same; a run from before that record, its `finished_at`; a run still at work, that.
    finished = w.word("not_finished")
    if this_run is not None:
        done = json.loads(this_run["stats"] or "{}").get("work_done_at")
        if done:
            finished = w.word("finished_work", time=when(done))
        elif this_run["finished_at"] is not None:
            finished = when(this_run["finished_at"])
    previous_line = w.word("no_previous")  # the first night: and no "no night missed" line after it
    if previous is not None:
        status = w.word("run_" + str(previous["status"]))
        said, began = w.date(previous["on_date"]), when(previous["started_at"])
        previous_line = (
            w.word("previous_line", date=said, start=began, end=when(previous["finished_at"]), status=status)
            if previous["finished_at"] is not None
            else w.word("previous_open", date=said, start=began, status=status)
        )
    undelivered = failed_total + expired_total + waiting_total
    problems = [
        *([w.word("pb_rows", n=len(bad_rows))] if bad_rows else []),
        *([w.word("pb_messages", n=undelivered)] if undelivered else []),
        *([w.word("pb_uncovered", n=uncovered)] if uncovered else []),
    ]
    health = {
        "outcome": w.word(f"outcome_{min(exit_code, 1)}"),
        "problems": "; ".join(problems) if problems else w.word("no_problems"),
        "exit_code": exit_code,
        "exit_text": w.word("exit_code", code=exit_code),
        "started": f"{w.date(on)} {when(this_run['started_at'])}" if this_run else "",
        "finished": finished,
        "previous": previous_line,
        "missed": w.word("missed", dates=", ".join(w.short(d) for d in missed)) if missed else w.word("none_missed") if previous is not None else "",
        "counts": [(w.word("sent"), tonight_counts["sent"]), (w.word("failed"), failed_total), (w.word("waiting"), waiting_total), (w.word("expired"), expired_total)],
        "stages": [
            (w.word("st_family"), int(stage_counts.get("beneficiary:queued", 0))),
            (w.word("st_advisor", n=int(digests)), int(stage_counts.get("advisor:queued", 0))),
            (w.word("st_skipped"), tonight_counts["skipped"]),
            # families and advisor notices apart: two units, two lines (review, nl notes)
            (w.word("st_unreachable"), int(stage_counts.get("beneficiary:unreachable", 0))),
            (w.word("st_unreachable_advisor"), int(stage_counts.get("advisor:unreachable", 0))),
        ],
    }  # fmt: skip

    # 7. Needs legal confirmation
    rules = {rule.id: rule for rule in RULES}
    confirm = []
    for r in alive:
        rule = rules.get(str(r.get("rule")))
        if r["status"] == "open" and bool(r.get("needs_confirmation")):
            confirm.append({**family_cells(r["beneficiary_id"]), **decision_cells(r),
                            "rule": w.word("rule_line", kind=w.kind(r["kind"]), appeal=w.all.bodies[str(r["forum"])].appeal or w.forum(r["forum"]), n=rule.term_months if rule else "?"),
                            "why": w.t.words.get(f"source_{rule.id}", rule.legal_source) if rule else ""})  # fmt: skip

    # 8. Data to fix
    fix_rows = [{"table": w.table(p.table), "row": p.row_id, "problem": problem_words(p, w), "handled": w.word("handled_skipped" if p.skipped else "handled_used"),
                 "who": w.word("fix_data_team")} for p in bad_rows]  # fmt: skip
    fix_addresses = []
    for bid, f in sorted(fam.items()):
        if f.get("address_problem"):
            a = advisor_of(bid)
            fix_addresses.append({"who_kind": w.word("who_family"), "name": str(f["full_name"]), "email": str(f.get("email") or "") if f.get("address_problem") == "invalid" else "",
                                  "problem": w.word("address_" + str(f["address_problem"]), address=f.get("email") or ""),
                                  "who": w.word("fix_advisor", name=a["full_name"]) if a else w.word("fix_supervisor")})  # fmt: skip
    for _aid, a in sorted(adv.items()):
        if a.get("address_problem"):
            fix_addresses.append({"who_kind": w.word("who_advisor"), "name": str(a["full_name"]), "email": str(a.get("email") or "") if a.get("address_problem") == "invalid" else "",
                                  "problem": w.word("address_" + str(a["address_problem"]), address=a.get("email") or ""), "who": w.word("fix_supervisor")})  # fmt: skip
    not_notified = []
    for r in records:
        if r["status"] == "not_notified":
            decided = _day(r.get("decided_on"))
            not_notified.append({**family_cells(r["beneficiary_id"]), "decision_id": r["decision_id"], "reference": r["reference"], "kind": w.kind(r["kind"]),
                                 "decided": decided, "since": w.word("days_ago", date=w.short(decided), days=(on - decided).days) if decided else "",
                                 "days": (on - decided).days if decided else None, "who": w.word("fix_file")})  # fmt: skip
    no_advisor = [{**family_cells(bid), "who": w.word("fix_supervisor")} for bid in sorted(without_advisor)]

    # 9. Delivery
    next_steps = {
        "failed": "next_failed",
        "expired": "next_expired",
        "pending": "next_waiting",
        "sending": "next_waiting",
    }
    deliveries = [{"message": w.word(f"msg_{m['kind']}"), "recipient": str(m["to_name"] or m["to_addr"]), "who_kind": w.word("who_family" if m["recipient_kind"] == "beneficiary" else "who_advisor"),
                   "status": w.word(f"msg_{m['status']}"), "attempts": int(m["attempts"] or 0), "answer": str(m["last_answer"] or w.word("no_answer")),
                   "next_step": w.word(next_steps[str(m["status"])])} for m in trouble if m["status"] in next_steps]  # fmt: skip

    waiting = [m for m in trouble if m["status"] in ("pending", "sending")]
    last_answer = next(
        (str(m["last_answer"]) for m in reversed(waiting) if m["last_answer"]), w.word("no_answer")
    )
    waiting_line = w.word("waiting_line", n=len(waiting), answer=last_answer) if waiting else ""
    due_this_week = coverage[0]["due"]
    subject = w.word(
        "subject",
        # the night as a reader says it, "30 nov" / "30 nov." / "30 Nov": the year is the mail's own date
        date=babel_format_date(on, "d MMM", locale=w.locale),
        due=due_this_week,
        call=len(call_families),
        uncovered=uncovered,
        failed=failed_total,
    )
    return {
        "lang": w.lang,
        "t": w.t,
        "on": on,
        "title": w.t.headings["title"].format(date=w.date(on)),
        "health": health,
        "grace_soon": grace_soon,
        "due_unreminded": due_unreminded,
        "call_families": call_families,
        "advisor_problems": advisor_problems,
        "coverage": coverage,
        "uncovered_rows": uncovered_rows,
        "load_teams": load_teams,
        "load_advisors": load_advisors,
        "families_without_advisor": w.word("families_without_advisor", n=len(without_advisor)),
        "weeks": weeks,
        "forums": forums,
        "forum_names": forum_names,
        "weeks_chart": weeks_chart,
        "nights": nights,
        "nights_chart": nights_chart,
        "tonight_line": tonight_line,
        "confirm": confirm,
        "fix_rows": fix_rows,
        "fix_addresses": fix_addresses,
        "not_notified": not_notified,
        "no_advisor": no_advisor,
        "deliveries": deliveries,
        "waiting_line": waiting_line,
        "all_windows": [
            {
                **decision_cells(r),
                "beneficiary_id": r["beneficiary_id"],
                "needs_confirmation": w.word("yes" if r.get("needs_confirmation") else "no"),
            }
            for r in records
        ],
        "uncovered": uncovered,
        # For the night's exit code: a window nobody planned to remind. One whose reminder waits in the outbox
        # (or is being sent by another worker) already counts there as a message still waiting.
        "unplanned": sum(1 for r in uncovered_rows if r["why"] in ("unc_none", "unc_superseded")),
        "due_this_week": due_this_week,
        "to_call": len(call_families),
        "failed": failed_total,
        "subject": subject,
        "words": w,
    }


def _workbook_sheets(r: dict[str, Any]) -> list[Sheet]:
    t, c = r["t"].words, r["t"].columns
    act = Sheet(
        t["sheet_act"],
        [
            c["family"],
            c["language"],
            c["phone"],
            c["address"],
            c["advisor"],
            c["team"],
            c["decision"],
            c["reference"],
            c["kind"],
            c["forum"],
            c["safe"],
            c["latest"],
            c["days_left"],
            c["reminded"],
            c["reason"],
        ],
    )
    for f in r["call_families"]:
        for d in f["decisions"]:
            act.rows.append(
                [
                    f["name"],
                    f["language"],
                    f["phone"],
                    f["address"],
                    f["advisor"],
                    f["team"],
                    d["decision_id"],
                    d["reference"],
                    d["kind"],
                    d["forum"],
                    d["safe"],
                    d["latest"],
                    d["days_left"],
                    d["reminded"],
                    d["reason"],
                ]
            )
    cov = Sheet(
        t["sheet_coverage"],
        [c["ahead"], c["due"], c["emailed"], c["to_call"], c["uncovered"]],
        [[x["days"], x["due"], x["emailed"], x["to_call"], x["uncovered"]] for x in r["coverage"]],
    )
    load = Sheet(
        t["sheet_load"],
        [c["advisor"], c["team"], c["open"], c["due7"], c["due14"], c["call_decisions"], c["grace"]],
        [
            [x["advisor"], x["team"], x["open"], x["due7"], x["due14"], x["to_call"], x["grace"]]
            for x in r["load_advisors"]
        ],
    )
    weeks = Sheet(
        t["sheet_weeks"],
        [c["week"], *[r["forum_names"][f] for f in r["forums"]], c["total"]],
        [[x["start"], *[x[f] for f in r["forums"]], x["total"]] for x in r["weeks"]],
    )
    nights = Sheet(
        t["sheet_nights"],
        [c["night"], c["sent"], c["skipped"], c["failed"], c["waiting"]],
        [[x["day"], x["sent"], x["skipped"], x["failed"], x["waiting"]] for x in r["nights"]],
    )
    fix = Sheet(
        t["sheet_fix"],
        [c["problem"], c["table"], c["row"], c["family"], c["email"], c["handled"], c["who_fixes"]],
    )
    fix.rows += [[x["problem"], x["table"], x["row"], "", "", x["handled"], x["who"]] for x in r["fix_rows"]]
    fix.rows += [
        [x["problem"], x["who_kind"], None, x["name"], x["email"], "", x["who"]] for x in r["fix_addresses"]
    ]
    fix.rows += [
        [x["since"], "decisions", x["decision_id"], x["name"], "", "", x["who"]] for x in r["not_notified"]
    ]
    fix.rows += [
        [r["t"].headings["fix_no_advisor"], "beneficiaries", x["id"], x["name"], "", "", x["who"]]
        for x in r["no_advisor"]
    ]
    deliveries = Sheet(
        t["sheet_deliveries"],
        [c["message"], c["recipient"], c["state"], c["attempts"], c["answer"], c["next_step"]],
        # the whole log of the night (the report shows only what failed, waits or expired)
        [list(x) for x in r.get("delivery_log", [])],
    )
    windows = Sheet(t["sheet_windows"], [c["decision"], c["reference"], c["beneficiary"], c["kind"], c["forum"], c["window_status"], c["safe"], c["latest"], c["days_left"], c["reminded"], c["needs_confirmation"]],
                    [[x["decision_id"], x["reference"], x["beneficiary_id"], x["kind"], x["forum"], x["status"], x["safe"], x["latest"], x["days_left"], x["reminded"], x["needs_confirmation"]] for x in r["all_windows"]])  # fmt: skip
    return [act, cov, load, weeks, nights, fix, deliveries, windows]


def _delivery_log(sent: Sequence[Sequence[Any]], w: Words) -> list[list[Any]]:
    """The night's every message (the rows of deliveries.csv) for the workbook, in words."""
    steps = {
        "failed": "next_failed",
        "expired": "next_expired",
        "pending": "next_waiting",
        "sending": "next_waiting",
    }
    out = []
    for _mid, kind, recipient_kind, _rid, _lang, status, attempts, answer, name, addr in sent:
        who = w.word(
            {"beneficiary": "who_family", "advisor": "who_advisor"}.get(recipient_kind, "who_supervisor")
        )
        said = f"msg_{status}"
        out.append([w.word(f"msg_{kind}"), f"{name or addr} ({who})", w.word(said) if said in w.t.words else str(status),
                    int(attempts or 0), str(answer or ""), w.word(steps[str(status)]) if str(status) in steps else ""])  # fmt: skip
    return out


def write_report(
    engine: Engine,
    settings: Settings,
    on: date,
    windows: pd.DataFrame,
    bad_rows: Sequence[Problem],
    out_dir: str | None = None,
    mail: bool = False,
) -> Report:
    """Write the night's report of tonight's `windows` and the `bad_rows` met reading them; with `mail`, queue
    it for the supervisors. Returns the paths (HTML first) and the counts the night's exit code needs."""
    root = report_folder(settings, on, out_dir)
    rows = [
        list(record.values()) for record in window_records(windows)
    ]  # the shape `windows --format csv` has
    _csv(root / "windows.csv", WINDOW_COLUMNS, rows)
    grace = [row for row in rows if row[WINDOW_COLUMNS.index("status")] == "grace"]
    _csv(root / "grace.csv", WINDOW_COLUMNS, grace)
    with engine.connect() as conn:
        unreachable = _to_call(conn, on, windows)
        sent = _deliveries(conn, on)
        corrected = _corrections(conn, on)
    _csv(root / "unreachable.csv", TO_CALL_COLUMNS, unreachable)
    problems = [
        [p.table, p.row_id, p.column, p.message, "skipped" if p.skipped else "used"] for p in bad_rows
    ]
    _csv(root / "problems.csv", ["table", "row_id", "column", "problem", "row"], problems)
    _csv(root / "deliveries.csv", DELIVERY_COLUMNS, [row[: len(DELIVERY_COLUMNS)] for row in sent])
    _csv(root / "corrections.csv", CORRECTION_COLUMNS, corrected)

    # Windows as computed now; stages and messages as the ledger holds them for the night, so that a rerun
    # of the night, or `appealwatch report` the morning after, shows the same numbers.
    context = build_report(engine, settings, on, windows, bad_rows)
    context["corrections"] = _correction_rows(corrected, context["lang"])
    context["delivery_log"] = _delivery_log(sent, context["words"])
    workbook = root / f"report-{on.isoformat()}.xlsx"
    write_workbook(workbook, _workbook_sheets(context))
    _csv(
        root / "coverage.csv",
        ["days_ahead", "due", "emailed", "to_call", "uncovered"],
        [[x["days"], x["due"], x["emailed"], x["to_call"], x["uncovered"]] for x in context["coverage"]],
    )
    page = render_page("report/report.html", context)
    _write_atomic(root / "report.html", page)
    if mail and settings.report.recipients:
        w: Words = context["words"]
        text = f"{context['subject']}\n\n{w.word('mail_text', folder=root)}\n"
        with engine.begin() as conn:
            queue_report_mail(conn, settings, on, context["subject"], text, page, w.lang)
    return Report(
        [str(root / "report.html"), str(root), str(workbook)],
        uncovered=context["unplanned"],
        due_this_week=context["due_this_week"],
        to_call=context["to_call"],
        failed=context["failed"],
        subject=context["subject"],
        exit_code=context["health"]["exit_code"],
    )
