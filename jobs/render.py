"""E-mail content: one context per message kind, built here, rendered by convention.

Templates live in `templates/<kind>/<lang>.subject|.txt|.html`; shared pieces in `templates/_macros/`.
The mail's own sentences are in the templates; every phrase the code composes (the bodies' names and
sentences, the kinds, days left, the reason for the date) comes from `jobs.phrases`, and the bodies' contact
details from `jobs.organisations`. This module puts them together so that every template says them the same
way.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Final
from unicodedata import normalize

import jinja2
import jinja2.bccache
from babel import Locale
from babel.dates import format_date as babel_format_date

from deadlines.calendar import holiday_name, is_working_day, previous_working_day
from deadlines.rules import FORUM_FACTS, INTERRUPTIBLE_FORUMS, KINDS_WITHOUT_COMPLAINT_ROUTES
from deadlines.vocabulary import FORUMS, LANGUAGES
from jobs.courts import court_for, district_in_words
from jobs.organisations import CONTACT_FIELDS, ORGANISATION_IDS, ORGANISATIONS
from jobs.phrases import phrases
from jobs.resources import data_dir
from jobs.skeleton import DICT_ATTRIBUTES, Skeletons

__all__ = [
    "FAMILY_STATES",
    "LANGUAGES",
    "PARTS",
    "TEMPLATE_KINDS",
    "Rendered",
    "body_view",
    "build_correction_context",
    "build_digest_context",
    "build_reminder_context",
    "contact_lines",
    "days_left_text",
    "format_date",
    "format_day",
    "format_day_short",
    "language_name",
    "night_skeletons",
    "reason_sentence",
    "render",
    "render_page",
    "render_reminder",
    "template_cache",
    "templates_dir",
]

TEMPLATE_KINDS: Final = ("reminder", "digest", "correction")
PARTS: Final = ("subject", "txt", "html")


def _check_lang(lang: str) -> None:
    phrases(lang)  # a ValueError for a language without phrases


def _as_date(value: date | None) -> date | None:
    """A datetime (or pandas Timestamp) is taken as its calendar day."""
    if value is None:
        return None
    return value.date() if isinstance(value, datetime) else value


def _written(d: date, lang: str, pattern: str) -> str:
    day = _as_date(d)
    assert day is not None
    return _write(day, lang, pattern)


@lru_cache(maxsize=8192)
def _write(day: date, lang: str, pattern: str) -> str:
    """The work, once per day, language and pattern: a night's messages share a few hundred dates."""
    words = phrases(lang)
    text = babel_format_date(day, format=pattern, locale=words.locale)
    if day.day == 1 and words.first_of_month != "1":
        # French writes the first of the month as an ordinal ("1er juin"); CLDR does not.
        text = (
            text.replace(" 1 ", f" {words.first_of_month} ", 1)
            if " 1 " in text
            else text.replace("1 ", f"{words.first_of_month} ", 1)
        )
    return text


def format_date(d: date, lang: str) -> str:
    """The date written out as the recipient reads it: "12 juni 2025", "1er juin 2025", "12. Juni 2025"."""
    return _written(d, lang, "long")


def format_day(d: date, lang: str) -> str:
    """The date with its weekday, as the mails and the digest write every date: "donderdag 12 juni 2025",
    "jeudi 12 juin 2025", "Donnerstag, 12. Juni 2025", "Thursday 12 June 2025"."""
    return _written(d, lang, phrases(lang).weekday_format)


def format_day_short(d: date, lang: str) -> str:
    """The abbreviated date with its weekday, for a subject read on a phone: "do 12 jun 2025"."""
    return _written(d, lang, phrases(lang).short_format)


# --- Phrases built from numbers -------------------------------------------------------------------


def days_left_text(n: int, lang: str) -> str:
    """A sentence for the reminder: "U hebt nog 14 dagen." (and "today is the last day" at 0)."""
    return phrases(lang).days_left(n)


# --- The reason for the date ----------------------------------------------------------------------


def reason_sentence(facts: Mapping[str, Any], lang: str, *, passed: bool = False) -> str:
    """One plain-language sentence saying why the deadline is that day, from the engine's facts.

    `passed`: the safe deadline has passed already (a correction seen too late): the sentence says by when
    the appeal *had to* be filed, in the past tense, not that it must be.

    Reads `trigger_reason`, `informed_on`, `trigger_on`, `restarted_on`, `term_months`, `counts_from`,
    `safe_deadline`, and `forum` when present (German words the appeal differently per forum).
    """
    words = phrases(lang)
    reason = facts["trigger_reason"]
    if reason not in words.reasons:
        raise ValueError(f"unknown trigger_reason {reason!r}; expected one of {tuple(words.reasons)}")
    restarted = _as_date(facts.get("restarted_on"))
    if reason == "complaint_closed" and restarted is None:
        raise ValueError("trigger_reason 'complaint_closed' needs restarted_on")
    return _reason(
        lang,
        reason,
        _as_date(facts.get("informed_on")),
        _as_date(facts.get("trigger_on")),
        restarted,
        _as_date(facts.get("safe_deadline")),
        int(facts["term_months"]),
        facts.get("counts_from") or "notification",
        str(facts.get("forum")),
        passed,
    )


@lru_cache(maxsize=8192)
def _reason(
    lang: str,
    reason: str,
    informed: date | None,
    trigger: date | None,
    restarted: date | None,
    safe: date | None,
    n: int,
    counts_from: str,
    forum: str,
    passed: bool,
) -> str:
    """reason_sentence's work, once per set of facts: a night's windows share their dates and terms (the
    decisions of one day, the same forum), so most reminders find their sentence written already."""
    words = phrases(lang)

    def written(value: date | None) -> str:
        return format_day(value, lang) if value is not None else ""

    return words.reasons[reason].format(
        informed=written(informed),
        trigger=written(trigger),
        restarted=written(restarted),
        safe=written(safe),
        n=n,
        start=words.starts[counts_from].format(trigger=written(trigger)),
        appeal=words.appeal_noun.get(forum, words.appeal_noun_any),
        must=words.must_passed if passed else words.must,
    )


# --- Contexts -------------------------------------------------------------------------------------


def contact_lines(lang: str, **values: str | None) -> list[tuple[str, str, str]]:
    """`(what, label, value)` for each non-empty value, `what` one of CONTACT_FIELDS ("phone", "email",
    "post", "website"), in that order, so templates can link an e-mail address or a website."""
    labels = phrases(lang).contact_labels
    return [(what, getattr(labels, what), v) for what in CONTACT_FIELDS if (v := values.get(what))]


def body_view(body_id: str, lang: str, district: str | None = None, fund_name: str = "") -> dict[str, object]:
    """One organisation (jobs.organisations) with its phrases in `lang`, flattened to plain strings, as the
    templates read it.

    `contact` is a list of `(what, label, value)` lines (see `contact_lines`: phone with its note,
    e-mail, post), `in_person` a sentence or "", and the forum fields ("appeal", "how_to_file",
    "request_holds", "cost_note") are "" for non-forums. For a forum that is a court of the family's
    district (deadlines.rules.FORUM_FACTS), `courts` names it (two in Brussels where the language does not
    decide) and `divisions` its divisions there, from jobs.courts; `courts` is empty for an unknown district,
    and the templates then say the generic sentence and send the family to the advisor. `takes_email`: the
    forum accepts an appeal by e-mail (on a weekend or holiday too).
    """
    return dict(_body_view(body_id, lang, district, fund_name))


@lru_cache(maxsize=1024)
def _body_view(body_id: str, lang: str, district: str | None, fund_name: str) -> dict[str, object]:
    """body_view's work, once per body, language, district and fund (the templates only read it)."""
    words = phrases(lang)
    body, said = ORGANISATIONS[body_id], words.bodies[body_id]
    phone = f"{body.phone} ({said.phone_note})" if body.phone and said.phone_note else body.phone
    facts = FORUM_FACTS.get(body_id)  # type: ignore[call-overload]
    court = facts.court if facts is not None else None
    found = court_for(court, district, lang) if court is not None else None
    courts, divisions = found if found is not None else ([], ())
    how = said.how_to_file or ""
    if court is not None:
        if courts:
            named = (
                courts[0]
                if len(courts) == 1
                else words.either_court.format(first=courts[0], second=courts[1])
            )
            named += words.divisions_note.format(divisions=", ".join(divisions)) if divisions else ""
        else:
            named = words.court_of_district.format(court=said.short)
        how = how.format(court=named)
        in_words = district_in_words(district, lang)
        if in_words is not None:  # one of the twelve, as the family's language writes it ("d'Eupen")
            how += words.district_note.format(district=in_words)
        elif district:
            how += words.district_note_other.format(district=district)
        how += "" if courts else words.ask_advisor_court
    return {
        "id": body.id,
        "name": said.name,
        "short": said.short,
        "phone": body.phone or "",
        "email": body.email or "",
        "post": body.post or "",
        "contact": contact_lines(lang, phone=phone, email=body.email, post=body.post),
        "in_person": said.in_person or "",
        "appeal": said.appeal or "",
        "how_to_file": how,
        "request_holds": said.request_holds.format(fund=fund_name) if said.request_holds else "",
        "cost_note": said.cost_note or "",
        "is_court": court is not None,
        "courts": courts,
        "divisions": ", ".join(divisions),
        "takes_email": bool(facts is not None and facts.takes_email),
    }


def _fund_view(fund: Mapping[str, Any], lang: str) -> dict[str, Any]:
    """The fund as configured; empty values are left out of the mails, never invented."""
    phone, email, website = (str(fund.get(key) or "") for key in ("phone", "email", "website"))
    return {
        "name": str(fund["name"]),
        "phone": phone,
        "email": email,
        "website": website,
        "contact": contact_lines(lang, phone=phone, email=email, website=website),
    }


@lru_cache(maxsize=64)
def _shared_fund_view(name: str, phone: str, email: str, website: str, lang: str) -> dict[str, Any]:
    """_fund_view once per fund and language: one object every reminder of the night shares (a skeleton
    reads a shared view once, jobs.skeleton); the templates only read it."""
    return _fund_view({"name": name, "phone": phone, "email": email, "website": website}, lang)


@lru_cache(maxsize=16)
def _bodies(lang: str) -> dict[str, dict[str, object]]:
    """Every organisation's view in `lang`, one object shared by the reminders of a language (read only)."""
    return {body_id: _body_view(body_id, lang, None, "") for body_id in ORGANISATION_IDS}


def _person(person: Mapping[str, Any] | None) -> dict[str, str] | None:
    if person is None:
        return None
    return {"full_name": str(person["full_name"]), "email": str(person.get("email") or "")}


@lru_cache(maxsize=8192)
def _deadline_words(safe: date, lang: str) -> tuple[str, str, str, date | None, str]:
    """What a reminder says of its safe deadline in `lang`: the day written long and short, the holiday
    it falls on ("" if none), the working day before it when it is not one (`act_by`, else None) and that day
    written; once per day and language (a night's reminders share a few hundred deadlines)."""
    act_by = None if is_working_day(safe) else previous_working_day(safe)
    return (
        format_day(safe, lang),
        format_day_short(safe, lang),
        holiday_name(safe, lang) or "",
        act_by,
        format_day(act_by, lang) if act_by is not None else "",
    )


def build_reminder_context(
    window: Mapping[str, Any],
    beneficiary: Mapping[str, Any],
    advisor: Mapping[str, Any] | None,
    fund: Mapping[str, Any],
    lang: str,
    last_stage: int = 2,
) -> dict[str, Any]:
    """Everything a beneficiary's reminder says, in `lang`: the templates only arrange it.

    Every date is written with its weekday. `act_by` is the last working day before a safe deadline that
    falls on a Saturday, Sunday or legal holiday (deadlines.calendar): the day to post or hand in the appeal
    (the safe deadline itself never moves; e-mail, where the forum takes it, still works on the day).
    `urgent` (7 days or fewer left) puts the filing first and shrinks the gentler routes to one line each;
    When that day has already passed (`act_by_passed`), the mail names the window's `latest_deadline`
    (`latest_text`: art. 53 moves a court term ending on such a day to the next working day) as the day by
    which an appeal received at the forum (`received_at`) may still be admissible, the forum (`forum_the`)
    deciding; `latest_text` is "" when the window carries no later latest deadline.
    `last_stage` (the last beneficiary stage, in days) marks the mail urgent in its subject and first line.
    `complaint_routes` is false for a decision no complaint can change (a ruling of the arbitration
    commission, deadlines.rules). `decision.reference` is the reference printed on the family's letter when
    the window carries a non-empty `reference`, else the decision id. `reply_to` names who answers a reply:
    the advisor when they have an address, else the fund.
    """
    return _reminder_context(*_reminder_parts(window, beneficiary, advisor, fund, lang, last_stage))


REMINDER_OWN: Final = (
    "beneficiary.id",
    "beneficiary.email",
    "decision.id",
    "decision.decided_on",
    "decision.decided_on_text",
    "deadline",
    "days_left",
    "stage",
)
"""The values of a reminder's context that are the family's own but that the templates do not read (kept for
other readers of the context). A template that reads one sends every reminder back to the general way
(jobs.skeleton.Skeletons.render_known)."""

_Shared = tuple[str, str, str, "str | None", tuple[str, str, str, str], bool, bool, bool, bool, bool]


def _reminder_parts(
    window: Mapping[str, Any],
    beneficiary: Mapping[str, Any],
    advisor: Mapping[str, Any] | None,
    fund: Mapping[str, Any],
    lang: str,
    last_stage: int,
) -> tuple[_Shared, tuple[Any, ...], tuple[Any, ...]]:
    """A reminder's context in three parts, from which `_reminder_context` makes it:

    - `shared`: what every other value the templates read is made of: the language, the forum, the kind,
      the district, the fund, whether there is an advisor and whether they have an address, and the three
      choices of sentences (the working day before the deadline passed, urgent, last stage). Families with
      the same `shared` get the same mail but for their free values.
    - `free`: REMINDER_FREE's values, in that order;
    - `own`: REMINDER_OWN's values, in that order.
    """
    words = phrases(lang)
    forum_id = window["forum"]
    if forum_id not in FORUMS:
        raise ValueError(f"unknown forum {forum_id!r}; expected one of {FORUMS}")
    kind_id = window["kind"]
    kind = words.kinds[kind_id]
    decided_on = _as_date(window["decided_on"])
    safe = _as_date(window["safe_deadline"])
    assert decided_on is not None and safe is not None
    days_left = int(window["days_left"])
    decided_text = format_day(decided_on, lang)
    district = beneficiary.get("judicial_district") or None
    today = safe - timedelta(days=days_left)
    deadline_text, deadline_short, holiday, act_by, act_by_text = _deadline_words(safe, lang)
    latest = _as_date(window.get("latest_deadline"))
    reference = str(window.get("reference") or "").strip() or str(window["decision_id"])
    fund_key = (str(fund["name"]), *(str(fund.get(key) or "") for key in ("phone", "email", "website")))
    forum = _body_view(forum_id, lang, district, fund_key[0])
    person = _person(advisor)
    has_advisor_address = bool(advisor and str(advisor.get("email") or "").strip())
    shared: _Shared = (
        lang,
        forum_id,
        kind_id,
        district,
        fund_key,  # type: ignore[assignment]  # four texts
        person is None,
        has_advisor_address,
        act_by is not None and act_by < today,
        days_left <= 7,
        days_left <= last_stage,
    )
    free = (
        str(beneficiary["full_name"]),
        None if person is None else person["full_name"],
        None if person is None else person["email"],
        reference,
        kind.phrase.format(date=decided_text),
        forum["appeal"],
        forum["how_to_file"],
        forum["request_holds"],
        forum["cost_note"],
        deadline_text,
        deadline_short,
        days_left_text(days_left, lang),
        act_by,
        act_by_text,
        format_day(latest, lang) if latest is not None and latest > safe else "",
        holiday,
        reason_sentence(window, lang),
        int(window["term_months"]),
    )
    own = (
        beneficiary.get("id"),
        str(beneficiary.get("email") or ""),
        window["decision_id"],
        decided_on,
        decided_text,
        safe,
        days_left,
        int(window["stage"]),
    )
    return shared, free, own


def _reminder_context(shared: _Shared, free: tuple[Any, ...], own: tuple[Any, ...]) -> dict[str, Any]:
    """The context made of its three parts (`_reminder_parts`). Every value the templates read that is not a
    free one comes from `shared` alone, and each free and own value goes to its own place only: two families
    with the same `shared` (and the same empty free values) have the same mail but for their free values,
    which is what lets `Skeletons.render_known` fill a family's mail without making this context."""
    lang, forum_id, kind_id, district, fund_key, no_advisor, has_advisor_address, passed, urgent, last = (
        shared
    )
    (
        name, advisor_name, advisor_email, reference, phrase,
        _appeal, _how_to_file, _request_holds, _cost_note,  # read by the templates from the forum's view
        deadline_text, deadline_short, days_text, act_by, act_by_text, latest_text, holiday, reason, term_months,
    ) = free  # fmt: skip
    beneficiary_id, beneficiary_email, decision_id, decided_on, decided_text, safe, days_left, stage = own
    words = phrases(lang)
    # The fund's and the organisations' views are shared objects (cached; only read): see _bodies.
    fund_view = _shared_fund_view(*fund_key, lang)
    return {
        "lang": lang,
        "beneficiary": {
            "id": beneficiary_id,
            "full_name": name,
            "email": beneficiary_email,
            "judicial_district": district or "",
        },
        "advisor": None if no_advisor else {"full_name": advisor_name, "email": advisor_email},
        "fund": fund_view,
        "reply_to": "advisor" if has_advisor_address else "fund",
        "decision": {
            "id": decision_id,
            "reference": reference,
            "kind": kind_id,
            "kind_label": words.kinds[kind_id].label,
            "decided_on": decided_on,
            "decided_on_text": decided_text,
            "phrase": phrase,
        },
        "forum": _body_view(forum_id, lang, district, fund_view["name"]),
        "deadline": safe,
        "deadline_text": deadline_text,
        "deadline_short": deadline_short,
        "holiday": holiday,
        "act_by": act_by,
        "act_by_text": act_by_text,
        "act_by_passed": passed,
        "latest_text": latest_text,
        "received_at": words.received_at[forum_id],
        "forum_the": words.forum_the[forum_id],
        "days_left": days_left,
        "days_left_text": days_text,
        "urgent": urgent,
        "last_stage": last,
        "complaint_routes": kind_id not in KINDS_WITHOUT_COMPLAINT_ROUTES,
        "appeal_noun": words.appeal_noun.get(forum_id, words.appeal_noun_any),
        "stage": stage,
        "term_months": term_months,
        "reason": reason,
        # Per forum, from the data: the forum's cost note if it has one; whether a complaint to the
        # complaints service interrupts its terms (deadlines.rules, domain.md "Complaint interrupts").
        "show_cost_note": words.bodies[forum_id].cost_note is not None,
        "complaint_interrupts": forum_id in INTERRUPTIBLE_FORUMS,
        "bodies": _bodies(lang),
    }


def build_correction_context(
    window: Mapping[str, Any],
    beneficiary: Mapping[str, Any],
    advisor: Mapping[str, Any] | None,
    fund: Mapping[str, Any],
    lang: str,
) -> dict[str, Any]:
    """A correction notice (jobs.corrections): the reminder's context (the forum, how to file, the advisor,
    the reason for the new date) plus the old and the new deadline with their weekdays, whether the new one is
    earlier, and which sentence says why it changed (`why`: complaint, art89 or informed). Like a reminder it
    names the day to post or hand in by (`act_by`) when the new date is not a working day, and says who answers
    a reply (`reply_to`). `passed`: the new safe deadline had already passed when the change was seen (the
    window is in grace): the notice then says so, and until when an appeal is still possible (`latest_day`,
    the latest deadline; `latest_today` when that is today, `latest_days_left_text` how many days are left),
    to file now and tell the advisor, and that the forum (`forum_the`) decides whether it is still in time;
    its reason sentence then says by when the appeal had to be filed (past tense)."""
    context = build_reminder_context(window, beneficiary, advisor, fund, lang)
    old, new = _as_date(window["old_deadline"]), _as_date(window["safe_deadline"])
    latest = _as_date(window.get("latest_deadline"))
    assert old is not None and new is not None
    restarted, informed = _as_date(window.get("restarted_on")), _as_date(window.get("informed_on"))
    passed = int(window["days_left"]) < 0
    today = new - timedelta(days=int(window["days_left"]))
    latest_left = (latest - today).days if latest else None
    return {
        **context,
        "reason": reason_sentence(window, lang, passed=passed),
        "old_day": format_day(old, lang),
        "new_day": format_day(new, lang),
        "earlier": new < old,
        "passed": passed,
        "latest_day": format_day(latest, lang) if latest else "",
        "latest_today": latest_left == 0,
        "latest_days_left_text": days_left_text(latest_left, lang) if latest_left is not None else "",
        "forum_the": phrases(lang).forum_the[str(window["forum"])],
        "why": str(window["why"]),
        "restarted_day": format_day(restarted, lang) if restarted else "",
        "informed_day": format_day(informed, lang) if informed else "",
    }


def _by_deadline(row: Mapping[str, Any]) -> tuple[date, str, str]:
    return (_as_date(row["safe_deadline"]) or date.max, str(row["beneficiary_name"]), str(row["decision_id"]))


@lru_cache(maxsize=256)
def language_name(code: str, lang: str) -> str:
    """A language's name in `lang`, from CLDR ("Nederlands", "néerlandais", "Niederländisch", "Dutch");
    once per pair (a digest names the language of each of its families; CLDR's data do not change)."""
    name = Locale.parse(phrases(lang).locale).languages.get(code)
    return str(name) if name else code


FAMILY_STATES: Final = ("emailed", "to_call", "not_tonight")
"""What the digest says of a family for one decision: e-mailed tonight, no usable address (to call or write),
or an address on file but no reminder tonight (then when it was last reminded, or never). A corrected decision
is said once, as its correction."""


def _family_key(row: Mapping[str, Any]) -> tuple[str, str]:
    ident = row.get("beneficiary_id")
    return ("id", str(ident)) if ident is not None else ("name", str(row["beneficiary_name"]))


def build_digest_context(
    advisor: Mapping[str, Any],
    items: Sequence[Mapping[str, Any]],
    unreachable: Sequence[Mapping[str, Any]],
    on: date,
    fund: Mapping[str, Any],
    lang: str,
    *,
    emailed: Collection[tuple[int, str]] = (),
    others: Sequence[Mapping[str, Any]] = (),
    corrections: Sequence[Mapping[str, Any]] = (),
    reminded: Mapping[tuple[int, str], date] | None = None,
) -> dict[str, Any]:
    """The advisor's nightly digest: one block per family, the most urgent family first.

    - `items`: windows whose advisor stage is due; `unreachable`: windows whose family stage is due but the
      family has no usable address (`reason` "missing" or "invalid"): to call or write. A window in both is
      one decision, said once.
    - `emailed`: the (decision_id, forum) whose family reminder was queued tonight; a decision in
      `corrections` instead reads "a correction went to the family tonight".
    - `reminded`: per (decision_id, forum), the night of the last reminder delivered to the family; a
      decision neither e-mailed tonight nor to call reads "last reminded on <day>", or "never reminded".
    - `others`: the advisor's families' windows in grace (safe deadline passed, latest not yet: "still
      possible until ...") and interrupted by an open complaint (`interrupted_since`). A family that has
      only an interrupted window gets no block of its own: an open complaint is not a thing to act on.
    - `corrections` (issue 10): deadlines we quoted that changed, `decision_id`, `forum`, `beneficiary_id`,
      `beneficiary_name`, `old_deadline`, `new_deadline`; listed in the family's block. `late`: "grace" when
      the new safe deadline had passed already (the family was told until when an appeal may still be
      possible: `latest_deadline`), "expired" when nothing is possible any more (no mail: the family to call).

    Rows carry `beneficiary_id`, `beneficiary_name`, and when known `beneficiary_lang`, `beneficiary_phone`
    (the optional `beneficiaries.phone`), `latest_deadline` and `needs_confirmation`. Each decision gets one
    statement: both deadlines with their weekday, the days left beside the safe one, and what was done for
    the family tonight; no stage numbers.
    """
    words = phrases(lang)
    families: dict[tuple[str, str], dict[str, Any]] = {}

    def family(row: Mapping[str, Any]) -> dict[str, Any]:
        key = _family_key(row)
        if key not in families:
            code = str(row.get("beneficiary_lang") or "")
            families[key] = {
                "name": str(row["beneficiary_name"]),
                "lang": code,
                "lang_name": language_name(code, lang) if code else "",
                "phone": str(row.get("beneficiary_phone") or "").strip(),
                "decisions": [],
                "grace": [],
                "complaints": [],
                "corrections": [],
                "_seen": set(),
            }
        return families[key]

    def about(row: Mapping[str, Any]) -> dict[str, Any]:
        kind = str(row.get("kind") or "")
        latest = _as_date(row.get("latest_deadline"))
        return {
            "decision_id": row["decision_id"],
            "kind_label": words.kinds[kind].label if kind in words.kinds else "",
            "forum": row["forum"],
            "forum_name": words.bodies[row["forum"]].short,
            "latest_deadline": latest,
            "latest_text": format_day(latest, lang) if latest else "",
            "needs_confirmation": bool(row.get("needs_confirmation") or False),
        }

    def decision(row: Mapping[str, Any], state: str, reason: str = "") -> None:
        block = family(row)
        if (row["decision_id"], row["forum"]) in block["_seen"]:
            return
        block["_seen"].add((row["decision_id"], row["forum"]))
        safe = _as_date(row["safe_deadline"])
        assert safe is not None
        days_left = int(row["days_left"])
        last = (reminded or {}).get((int(row["decision_id"]), str(row["forum"])))
        block["decisions"].append(
            {
                **about(row),
                "safe_deadline": safe,
                "safe_text": format_day(safe, lang),
                "days_left": days_left,
                "days_left_text": words.days_left_short(days_left),
                "family": state,
                "reason_text": words.unreachable_reasons.get(reason, words.unreachable_reasons["missing"])
                if state == "to_call"
                else "",
                # not tonight: when the family was last reminded ("" when never)
                "reminded_text": format_day(last, lang) if state == "not_tonight" and last else "",
            }
        )

    for row in sorted(unreachable, key=_by_deadline):
        decision(row, "to_call", str(row.get("reason") or "missing"))
    sent = {(int(d), str(f)) for d, f in emailed}
    corrected = {(int(r["decision_id"]), str(r["forum"])) for r in corrections}
    for row in sorted(items, key=_by_deadline):
        key = (int(row["decision_id"]), str(row["forum"]))
        if key in corrected and key not in sent:
            # said once, as the correction below (its new date, and that the family got the correction)
            family(row)
            continue
        decision(row, "emailed" if key in sent else "not_tonight")
    for row in sorted(
        others, key=lambda r: (_as_date(r.get("latest_deadline")) or date.max, r["decision_id"])
    ):
        if row.get("status") == "grace":
            safe = _as_date(row["safe_deadline"])
            assert safe is not None
            family(row)["grace"].append(
                {
                    **about(row),
                    "safe_deadline": safe,
                    "safe_text": format_day(safe, lang),
                    # the last day is today: the template says so, as it does for a safe date of today
                    "latest_today": _as_date(row.get("latest_deadline")) == _as_date(on),
                }
            )
    for row in others:
        since = _as_date(row.get("interrupted_since"))
        if row.get("status") == "interrupted" and since is not None and _family_key(row) in families:
            family(row)["complaints"].append({**about(row), "since_text": format_day(since, lang)})
    for row in corrections:
        old, new = _as_date(row["old_deadline"]), _as_date(row["new_deadline"])
        assert old is not None and new is not None
        family(row)["corrections"].append(
            {**about(row), "old_text": format_day(old, lang), "new_text": format_day(new, lang), "new_deadline": new,
             "late": row.get("late") or "", "mailed": not (row.get("late") == "expired" or row.get("called"))}
        )  # fmt: skip

    def urgency(block: dict[str, Any]) -> tuple[date, str]:
        days = (
            [d["safe_deadline"] for d in block["decisions"]]
            + [g["latest_deadline"] for g in block["grace"]]
            + [c["new_deadline"] for c in block["corrections"]]
        )
        return (min((d for d in days if d is not None), default=date.max), block["name"])

    ordered = sorted(families.values(), key=urgency)
    for block in ordered:
        del block["_seen"]
        block["decisions"].sort(key=lambda d: (d["safe_deadline"], str(d["decision_id"])))
    decisions = [d for block in ordered for d in block["decisions"]]
    # A correction seen too late ("expired": no mail went to the family) is a family to call, as is one whose
    # notice expired while an outage held it; counted once with a reminder's to-call of the same window.
    calls = {(d["decision_id"], d["forum"]) for d in decisions if d["family"] == "to_call"}
    calls |= {
        (c["decision_id"], c["forum"])
        for block in ordered
        for c in block["corrections"]
        if c["late"] == "expired"
    }
    return {
        "lang": lang,
        "advisor": _person(advisor),
        "fund": _fund_view(fund, lang),
        "on": _as_date(on),
        "on_text": format_day(on, lang),
        "families": ordered,
        # Families and decisions counted apart, each line saying which (a family can have several decisions).
        "counts": {
            "families": len(ordered),
            "decisions": len(decisions),
            "emailed": sum(d["family"] == "emailed" for d in decisions),
            "emailed_families": sum(any(d["family"] == "emailed" for d in b["decisions"]) for b in ordered),
            "to_call": len(calls),
            "call_families": sum(
                any(d["family"] == "to_call" for d in b["decisions"])
                or any(c["late"] == "expired" for c in b["corrections"])
                for b in ordered
            ),
            "grace": sum(len(block["grace"]) for block in ordered),
            "grace_families": sum(bool(block["grace"]) for block in ordered),
            "corrected": sum(len(block["corrections"]) for block in ordered),
            # families whose last day to appeal is today: the subject names them
            "today_families": sum(
                any(g["latest_deadline"] == _as_date(on) for g in block["grace"]) for block in ordered
            ),
        },
    }


# --- Rendering ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def templates_dir() -> Path:
    """The templates folder: the wheel's copy, or `<repo>/templates` in a checkout (jobs.resources)."""
    return data_dir("templates")


def _ucfirst(value: str) -> str:
    """Capitalise the first letter only ("arbeidsrechtbank" -> "Arbeidsrechtbank"), unlike `capitalize`."""
    return value[:1].upper() + value[1:]


def _fr_de(name: str) -> str:
    """French "de" before a name, elided before a vowel or h: "d'Infino", "de Kidslife" (the fund's name is
    configurable, so the template cannot spell it out)."""
    first = normalize("NFD", name.strip()[:1])[:1].lower()
    return f"d'{name}" if first and first in "aeiouyh" else f"de {name}"


class _Environment(jinja2.Environment):
    """Jinja's environment, reading a plain dict's keys the short way.

    A template reads its rows' keys as attributes (`d.safe_text`): Jinja tries `getattr` first and, for a
    dict, only then the key, so each read raised and caught an AttributeError (a digest of a 1M night reads
    some 300,000). For a plain dict and a name that is none of a dict's attributes that `getattr` can only
    fail: the key is read directly, with Jinja's own result when it is missing."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and type(attribute) is str and attribute not in DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)


class _TemplateCache(jinja2.FileSystemBytecodeCache):
    """Compiled templates kept on disk between runs, so that a night does not compile its three dozen
    templates again (0.12 s of a 1M night on PostgreSQL; loading them compiled takes a few milliseconds).

    Jinja's own cache: a file per template in a folder of the user's own (`$TMPDIR/_jinja2-cache-<uid>`, mode
    0700, checked to be the user's), each holding the compiled code with a checksum of the template's source:
    a template edited since is compiled again. Jinja keys a file on the template's name and path alone, so
    the files' names here carry a fingerprint of what else the compiled code depends on (Jinja's version and
    the environment's options, `_fingerprint`): another version or other options compile afresh, never take
    code compiled for the others. It is only a cache: a folder that cannot be had, a file that cannot be read
    or written or that is damaged (a write cut short) costs the compilation, never the night."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # a damaged file: Jinja's pickle and marshal raise whatever they meet
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with suppress(OSError):
            super().dump_bytecode(bucket)


def template_cache(env: jinja2.Environment, directory: str | None = None) -> jinja2.BytecodeCache | None:
    """The cache of templates compiled by `env` in `directory` (Jinja's per-user folder when None); None when
    no such folder can be had (the templates are then compiled at each run, as without a cache)."""
    try:
        return _TemplateCache(directory, f"__appealwatch_{_fingerprint(env)}_%s.cache")
    except (OSError, RuntimeError):  # no safe folder of the user's own (Jinja raises RuntimeError)
        return None


def _fingerprint(env: jinja2.Environment) -> str:
    """What the code Jinja compiles depends on besides the template's text: Jinja's version and the
    environment's options (whitespace, delimiters, what is autoescaped, the undefined)."""
    options = (
        jinja2.__version__,
        env.trim_blocks,
        env.lstrip_blocks,
        env.keep_trailing_newline,
        env.newline_sequence,
        env.block_start_string,
        env.block_end_string,
        env.variable_start_string,
        env.variable_end_string,
        env.comment_start_string,
        env.comment_end_string,
        env.line_statement_prefix,
        env.line_comment_prefix,
        env.optimized,
        env.is_async,
        sorted(env.extensions),
        env.undefined.__name__,
        [
            bool(env.autoescape(name) if callable(env.autoescape) else env.autoescape)
            for name in _ESCAPE_PROBES
        ],
    )
    return hashlib.sha256(repr(options).encode()).hexdigest()[:16]


_ESCAPE_PROBES: Final = ("x.html", "x.txt", "x.subject", None)


@cache
def _environment() -> jinja2.Environment:
    env = _Environment(
        loader=jinja2.FileSystemLoader(templates_dir()),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # The files do not change while a process runs: a template `{% import %}`s its macros at each render
        # (thousands a night), and with auto_reload each import looked at the file's time on disk again.
        auto_reload=False,
    )
    env.bytecode_cache = template_cache(env)
    env.filters["ucfirst"] = _ucfirst
    env.filters["fr_de"] = _fr_de
    return env


@cache
def _template(name: str) -> jinja2.Template:
    """Each template compiled once per process (the files do not change while a night runs)."""
    return _environment().get_template(name)


def render_page(name: str, context: Mapping[str, Any]) -> str:
    """One page template (`templates/report/report.html`), through the same autoescaping environment."""
    return _template(name).render(context)


REMINDER_FREE: Final = (
    "beneficiary.full_name",
    "advisor.full_name",
    "advisor.email",
    "decision.reference",
    "decision.phrase",
    "forum.appeal",
    "forum.how_to_file",
    "forum.request_holds",
    "forum.cost_note",
    "deadline_text",
    "deadline_short",
    "days_left_text",
    "act_by",
    "act_by_text",
    "latest_text",
    "holiday",
    "reason",
    "term_months",
)
"""The values of a reminder's context that differ from family to family and that the templates only write
out or test for being empty (jobs.skeleton; tests/test_skeleton.py holds the templates to it)."""


_REMINDER_NAMES: Final[dict[str, tuple[str, ...]]] = {
    lang: tuple(f"reminder/{lang}.{ext}" for ext in PARTS) for lang in LANGUAGES
}
"""Each language's reminder templates, in PARTS' order (jobs.skeleton keys a family on them)."""


def night_skeletons() -> Skeletons:
    """A night's cache of rendered reminder shapes (jobs.skeleton): a reminder is rendered by Jinja once
    per language, forum, district, kind and choice of sentences, and filled in for every other family."""
    skeletons = Skeletons(_environment())
    for lang in LANGUAGES:
        skeletons.add_family(_REMINDER_NAMES[lang], REMINDER_FREE, REMINDER_OWN)
    return skeletons


def render_reminder(
    window: Mapping[str, Any],
    beneficiary: Mapping[str, Any],
    advisor: Mapping[str, Any] | None,
    fund: Mapping[str, Any],
    lang: str,
    last_stage: int,
    skeletons: Skeletons,
) -> Rendered:
    """`render("reminder", lang, build_reminder_context(...), skeletons)`, to the same bytes, without making the
    context of a family whose kind of mail (`_reminder_parts`' shared part) was rendered before tonight."""
    shared, free, own = _reminder_parts(window, beneficiary, advisor, fund, lang, last_stage)
    return _rendered(
        skeletons.render_known(
            _REMINDER_NAMES[lang], shared, free, lambda: _reminder_context(shared, free, own)
        )
    )


def render(kind: str, lang: str, context: Mapping[str, Any], skeletons: Skeletons | None = None) -> Rendered:
    """Render `templates/<kind>/<lang>.subject|.txt|.html` with `context`; with `skeletons`
    (`night_skeletons()`), a reminder whose shape was rendered before is filled in instead, to the same bytes.

    The subject is collapsed to one line (a name with a newline in it must not break the header).
    """
    if kind not in TEMPLATE_KINDS:
        raise ValueError(f"unknown template kind {kind!r}; expected one of {TEMPLATE_KINDS}")
    _check_lang(lang)
    names = [f"{kind}/{lang}.{ext}" for ext in PARTS]
    if skeletons is not None:
        return _rendered(skeletons.render(names, context))
    return _rendered([_template(name).render(context) for name in names])


def _rendered(parts: Sequence[str]) -> Rendered:
    """The three parts rendered, the subject collapsed to one line (a name with a newline in it must not break
    the header)."""
    subject, text, html = parts
    return Rendered(subject=" ".join(subject.split()), text=text, html=html)
