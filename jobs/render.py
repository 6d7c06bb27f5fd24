"""E-mail content: one context per message kind, built here, rendered by convention.

Templates live in `templates/<kind>/<lang>.subject|.txt|.html`; shared pieces in `templates/_macros/`.
The mail's own sentences are in the templates; every phrase the code composes (the bodies' names and
sentences, the kinds, days left, the reason for the date) comes from `jobs.phrases`, and the bodies' contact
details from `jobs.organisations`. This module puts them together so that every template says them the same
way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any, Final

import jinja2
from babel.dates import format_date as babel_format_date

from deadlines.rules import INTERRUPTIBLE_FORUMS
from deadlines.vocabulary import FORUMS, LANGUAGES
from jobs.organisations import CONTACT_FIELDS, ORGANISATION_IDS, ORGANISATIONS
from jobs.phrases import phrases
from jobs.resources import data_dir

__all__ = [
    "LANGUAGES",
    "PARTS",
    "TEMPLATE_KINDS",
    "Rendered",
    "body_view",
    "build_digest_context",
    "build_reminder_context",
    "contact_lines",
    "days_left_text",
    "format_date",
    "reason_sentence",
    "render",
    "render_page",
    "templates_dir",
]

TEMPLATE_KINDS: Final = ("reminder", "digest")
PARTS: Final = ("subject", "txt", "html")


def _check_lang(lang: str) -> None:
    phrases(lang)  # a ValueError for a language without phrases


def _as_date(value: date | None) -> date | None:
    """A datetime (or pandas Timestamp) is taken as its calendar day."""
    if value is None:
        return None
    return value.date() if isinstance(value, datetime) else value


def format_date(d: date, lang: str) -> str:
    """The date written out as the recipient reads it: "12 juni 2025", "1er juin 2025", "12. Juni 2025"."""
    words = phrases(lang)
    day = _as_date(d)
    assert day is not None
    text = babel_format_date(day, format="long", locale=words.locale)
    if day.day == 1 and words.first_of_month != "1":
        # French writes the first of the month as an ordinal ("1er juin"); CLDR does not.
        text = text.replace("1 ", f"{words.first_of_month} ", 1)
    return text


# --- Phrases built from numbers -------------------------------------------------------------------


def days_left_text(n: int, lang: str) -> str:
    """A sentence for the reminder: "U hebt nog 14 dagen." (and "today is the last day" at 0)."""
    return phrases(lang).days_left(n)


# --- The reason for the date ----------------------------------------------------------------------


def reason_sentence(facts: Mapping[str, Any], lang: str) -> str:
    """One plain-language sentence saying why the deadline is that day, from the engine's facts.

    Reads `trigger_reason`, `informed_on`, `trigger_on`, `restarted_on`, `term_months`, `counts_from`,
    `safe_deadline`, and `forum` when present (German words the appeal differently per forum).
    """
    words = phrases(lang)
    reason = facts["trigger_reason"]
    if reason not in words.reasons:
        raise ValueError(f"unknown trigger_reason {reason!r}; expected one of {tuple(words.reasons)}")

    def written(key: str) -> str:
        value = _as_date(facts.get(key))
        return format_date(value, lang) if value is not None else ""

    if reason == "complaint_closed" and _as_date(facts.get("restarted_on")) is None:
        raise ValueError("trigger_reason 'complaint_closed' needs restarted_on")
    counts_from = facts.get("counts_from") or "notification"
    return words.reasons[reason].format(
        informed=written("informed_on"),
        trigger=written("trigger_on"),
        restarted=written("restarted_on"),
        safe=written("safe_deadline"),
        n=int(facts["term_months"]),
        start=words.starts[counts_from],
        appeal=words.appeal_noun.get(str(facts.get("forum")), words.appeal_noun_any),
    )


# --- Contexts -------------------------------------------------------------------------------------


def contact_lines(lang: str, **values: str | None) -> list[tuple[str, str, str]]:
    """`(what, label, value)` for each non-empty value, `what` one of CONTACT_FIELDS ("phone", "email",
    "post", "website"), in that order, so templates can link an e-mail address or a website."""
    labels = phrases(lang).contact_labels
    return [(what, getattr(labels, what), v) for what in CONTACT_FIELDS if (v := values.get(what))]


def body_view(body_id: str, lang: str, district: str | None = None) -> dict[str, object]:
    """One organisation (jobs.organisations) with its phrases in `lang`, flattened to plain strings, as the
    templates read it.

    `contact` is a list of `(what, label, value)` lines (see `contact_lines`: phone with its note,
    e-mail, post), `in_person` a sentence or "", and the forum fields ("appeal", "how_to_file",
    "cost_note") are "" for non-forums.
    """
    words = phrases(lang)
    body, said = ORGANISATIONS[body_id], words.bodies[body_id]
    phone = f"{body.phone} ({said.phone_note})" if body.phone and said.phone_note else body.phone
    note = words.district_note.format(district=district) if district else ""
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
        "how_to_file": said.how_to_file.format(district=note) if said.how_to_file else "",
        "cost_note": said.cost_note or "",
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


def _person(person: Mapping[str, Any] | None) -> dict[str, str] | None:
    if person is None:
        return None
    return {"full_name": str(person["full_name"]), "email": str(person.get("email") or "")}


def build_reminder_context(
    window: Mapping[str, Any],
    beneficiary: Mapping[str, Any],
    advisor: Mapping[str, Any] | None,
    fund: Mapping[str, Any],
    lang: str,
) -> dict[str, Any]:
    """Everything a beneficiary's reminder says, in `lang`: the templates only arrange it."""
    words = phrases(lang)
    forum_id = window["forum"]
    if forum_id not in FORUMS:
        raise ValueError(f"unknown forum {forum_id!r}; expected one of {FORUMS}")
    kind = words.kinds[window["kind"]]
    decided_on = _as_date(window["decided_on"])
    safe = _as_date(window["safe_deadline"])
    assert decided_on is not None and safe is not None
    days_left = int(window["days_left"])
    decided_text = format_date(decided_on, lang)
    district = beneficiary.get("judicial_district") or None
    return {
        "lang": lang,
        "beneficiary": {
            "id": beneficiary.get("id"),
            "full_name": str(beneficiary["full_name"]),
            "email": str(beneficiary.get("email") or ""),
            "judicial_district": district or "",
        },
        "advisor": _person(advisor),
        "fund": _fund_view(fund, lang),
        "decision": {
            "id": window["decision_id"],
            "kind": window["kind"],
            "kind_label": kind.label,
            "decided_on": decided_on,
            "decided_on_text": decided_text,
            "phrase": kind.phrase.format(date=decided_text),
        },
        "forum": body_view(forum_id, lang, district),
        "deadline": safe,
        "deadline_text": format_date(safe, lang),
        "days_left": days_left,
        "days_left_text": days_left_text(days_left, lang),
        "stage": int(window["stage"]),
        "term_months": int(window["term_months"]),
        "reason": reason_sentence(window, lang),
        # Per forum, from the data: the forum's cost note if it has one; whether a complaint to the
        # complaints service interrupts its terms (deadlines.rules, domain.md "Complaint interrupts").
        "show_cost_note": words.bodies[forum_id].cost_note is not None,
        "complaint_interrupts": forum_id in INTERRUPTIBLE_FORUMS,
        "bodies": {body_id: body_view(body_id, lang, district) for body_id in ORGANISATION_IDS},
    }


def _by_deadline(row: Mapping[str, Any]) -> tuple[date, str, str]:
    return (_as_date(row["safe_deadline"]) or date.max, str(row["beneficiary_name"]), str(row["decision_id"]))


def build_digest_context(
    advisor: Mapping[str, Any],
    items: Sequence[Mapping[str, Any]],
    unreachable: Sequence[Mapping[str, Any]],
    on: date,
    fund: Mapping[str, Any],
    lang: str,
) -> dict[str, Any]:
    """The advisor's nightly digest: windows whose advisor stage is due, and families to write or call.

    Both lists come out sorted by safe deadline (then name, then decision), each row with its texts in
    `lang` beside the raw values.
    """
    words = phrases(lang)

    def row(item: Mapping[str, Any]) -> dict[str, Any]:
        safe = _as_date(item["safe_deadline"])
        assert safe is not None
        days_left = int(item["days_left"])
        return {
            "beneficiary_name": str(item["beneficiary_name"]),
            "decision_id": item["decision_id"],
            "forum": item["forum"],
            "forum_name": words.bodies[item["forum"]].short,
            "safe_deadline": safe,
            "deadline_text": format_date(safe, lang),
            "days_left": days_left,
            "days_left_text": words.days_left_short(days_left),
        }

    rows = []
    for item in sorted(items, key=_by_deadline):
        kind = str(item.get("kind") or "")
        rows.append(
            {
                **row(item),
                "kind": kind,
                "kind_label": words.kinds[kind].label if kind in words.kinds else "",
                "stage": int(item["stage"]),
                "stage_text": words.stage(int(item["stage"])),
            }
        )
    missing = []
    for item in sorted(unreachable, key=_by_deadline):
        reason = str(item["reason"])
        missing.append(
            {
                **row(item),
                "reason": reason,
                "reason_text": words.unreachable_reasons.get(reason, words.unreachable_reasons["missing"]),
            }
        )
    return {
        "lang": lang,
        "advisor": _person(advisor),
        "fund": _fund_view(fund, lang),
        "on": _as_date(on),
        "on_text": format_date(on, lang),
        "items": rows,
        "unreachable": missing,
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


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir()),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["ucfirst"] = _ucfirst
    return env


def render_page(name: str, context: Mapping[str, Any]) -> str:
    """One page template (`templates/report/report.html`), through the same autoescaping environment."""
    return _environment().get_template(name).render(context)


def render(kind: str, lang: str, context: Mapping[str, Any]) -> Rendered:
    """Render `templates/<kind>/<lang>.subject|.txt|.html` with `context`.

    The subject is collapsed to one line (a name with a newline in it must not break the header).
    """
    if kind not in TEMPLATE_KINDS:
        raise ValueError(f"unknown template kind {kind!r}; expected one of {TEMPLATE_KINDS}")
    _check_lang(lang)
    env = _environment()

    def part(ext: str) -> str:
        return env.get_template(f"{kind}/{lang}.{ext}").render(context)

    return Rendered(
        subject=" ".join(part("subject").split()),
        text=part("txt"),
        html=part("html"),
    )
