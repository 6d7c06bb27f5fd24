"""E-mail content: one context per message kind, built here, rendered by convention.

Templates live in `templates/<kind>/<lang>.subject|.txt|.html`; shared pieces in `templates/_macros/`.
The wording is in the templates; the facts (bodies, contacts, kinds) come from `jobs.bodies`; the few
phrases that depend on a number or a date (days left, the reason for the date) are built here so that
every template says them the same way.
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
from jobs.bodies import BODIES, BODY_IDS, KINDS, body_view, contact_lines
from jobs.resources import data_dir

__all__ = [
    "LANGUAGES",
    "PARTS",
    "TEMPLATE_KINDS",
    "Rendered",
    "build_digest_context",
    "build_reminder_context",
    "days_left_text",
    "format_date",
    "reason_sentence",
    "render",
    "templates_dir",
]

TEMPLATE_KINDS: Final = ("reminder", "digest")
PARTS: Final = ("subject", "txt", "html")
LOCALES: Final = {"nl": "nl_BE", "fr": "fr_BE", "de": "de_BE", "en": "en_GB"}


def _check_lang(lang: str) -> None:
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; expected one of {LANGUAGES}")


def _as_date(value: date | None) -> date | None:
    """A datetime (or pandas Timestamp) is taken as its calendar day."""
    if value is None:
        return None
    return value.date() if isinstance(value, datetime) else value


def format_date(d: date, lang: str) -> str:
    """The date written out as the recipient reads it: "12 juni 2025", "1er juin 2025", "12. Juni 2025"."""
    _check_lang(lang)
    day = _as_date(d)
    assert day is not None
    text = babel_format_date(day, format="long", locale=LOCALES[lang])
    if lang == "fr" and day.day == 1:
        # French writes the first of the month as an ordinal ("1er juin"); CLDR does not.
        text = text.replace("1 ", "1er ", 1)
    return text


# --- Phrases built from numbers -------------------------------------------------------------------

_DAYS_LEFT: Final[Mapping[str, tuple[str, str, str]]] = {
    # (today, one day, n days)
    "nl": ("Vandaag is de laatste dag.", "Morgen is de laatste dag.", "U hebt nog {n} dagen."),
    "fr": ("C'est aujourd'hui le dernier jour.", "C'est demain le dernier jour.", "Il vous reste {n} jours."),
    "de": ("Heute ist der letzte Tag.", "Morgen ist der letzte Tag.", "Ihnen bleiben noch {n} Tage."),
    "en": ("Today is the last day.", "Tomorrow is the last day.", "You have {n} days left."),
}
_DAYS_LEFT_SHORT: Final[Mapping[str, tuple[str, str, str]]] = {
    "nl": ("vandaag", "nog 1 dag", "nog {n} dagen"),
    "fr": ("aujourd'hui", "encore 1 jour", "encore {n} jours"),
    "de": ("heute", "noch 1 Tag", "noch {n} Tage"),
    "en": ("today", "1 day left", "{n} days left"),
}
_STAGE: Final[Mapping[str, tuple[str, str]]] = {
    "nl": ("herinnering 1 dag vooraf", "herinnering {n} dagen vooraf"),
    "fr": ("rappel 1 jour avant", "rappel {n} jours avant"),
    "de": ("Erinnerung 1 Tag vorher", "Erinnerung {n} Tage vorher"),
    "en": ("1-day reminder", "{n}-day reminder"),
}
_UNREACHABLE_REASON: Final[Mapping[str, Mapping[str, str]]] = {
    "missing": {
        "nl": "geen e-mailadres",
        "fr": "pas d'adresse e-mail",
        "de": "keine E-Mail-Adresse",
        "en": "no e-mail address",
    },
    "invalid": {
        "nl": "ongeldig e-mailadres",
        "fr": "adresse e-mail non valide",
        "de": "ungültige E-Mail-Adresse",
        "en": "invalid e-mail address",
    },
}


def _count(table: Mapping[str, tuple[str, ...]], n: int, lang: str) -> str:
    forms = table[lang]
    if len(forms) == 3 and n <= 0:
        return forms[0]
    return forms[-2] if n == 1 else forms[-1].format(n=n)


def days_left_text(n: int, lang: str) -> str:
    """A sentence for the reminder: "U hebt nog 14 dagen." (and "today is the last day" at 0)."""
    _check_lang(lang)
    return _count(_DAYS_LEFT, n, lang)


def _days_left_short(n: int, lang: str) -> str:
    return _count(_DAYS_LEFT_SHORT, n, lang)


def _stage_text(stage: int, lang: str) -> str:
    return _count(_STAGE, stage, lang)


# --- The reason for the date ----------------------------------------------------------------------

# Placeholders: {informed} {trigger} {restarted} {safe} written dates; {n} the term in months;
# {start} how the term starts (from _START); {appeal} the appeal noun (German only, see _DE_APPEAL_NOUN).
_REASONS: Final[Mapping[str, Mapping[str, str]]] = {
    "notification": {
        "nl": "U werd op {informed} op de hoogte gebracht van de beslissing; de termijn van {n} maanden "
        "loopt vanaf die kennisgeving, zodat uw beroep uiterlijk op {safe} binnen moet zijn.",
        "fr": "La décision vous a été notifiée le {informed} ; le délai de {n} mois court à partir de "
        "cette notification, de sorte que votre recours doit être reçu au plus tard le {safe}.",
        "de": "Die Entscheidung wurde Ihnen am {informed} mitgeteilt; die Frist von {n} Monaten läuft ab "
        "dieser Mitteilung, daher muss {appeal} spätestens am {safe} eingegangen sein.",
        "en": "You were notified of the decision on {informed}; the {n}-month term runs from that "
        "notification, so your appeal must arrive by {safe}.",
    },
    "third_day_after_informed": {
        "nl": "U werd op {informed} op de hoogte gebracht van de beslissing; de termijn van {n} maanden "
        "loopt vanaf de derde kalenderdag daarna, zodat uw beroep uiterlijk op {safe} binnen moet zijn.",
        "fr": "La décision vous a été communiquée le {informed} ; le délai de {n} mois court à partir du "
        "troisième jour calendrier qui suit, de sorte que votre recours doit être reçu au plus tard le {safe}.",
        "de": "Die Entscheidung wurde Ihnen am {informed} mitgeteilt; die Frist von {n} Monaten läuft ab "
        "dem dritten Kalendertag danach, daher muss {appeal} spätestens am {safe} eingegangen sein.",
        "en": "You were informed of the decision on {informed}; the {n}-month term runs from the third "
        "calendar day after that, so your appeal must arrive by {safe}.",
    },
    "art89_four_months": {
        "nl": "De beslissing vermeldde niet hoe en binnen welke termijn u beroep kon aantekenen; daarom "
        "begint de termijn van {n} maanden pas 4 maanden nadat u ervan op de hoogte werd gebracht "
        "(op {informed}), dus op {trigger}, zodat uw beroep uiterlijk op {safe} binnen moet zijn.",
        "fr": "La décision ne mentionnait ni les voies ni les délais de recours ; c'est pourquoi le délai "
        "de {n} mois ne commence à courir que 4 mois après sa communication (le {informed}), soit le "
        "{trigger}, de sorte que votre recours doit être reçu au plus tard le {safe}.",
        "de": "Die Entscheidung enthielt keine Angaben dazu, wie und innerhalb welcher Frist Sie dagegen "
        "vorgehen können; deshalb beginnt die Frist von {n} Monaten erst 4 Monate nach der Mitteilung "
        "(am {informed}), also am {trigger}, und {appeal} muss spätestens am {safe} eingegangen sein.",
        "en": "The decision did not say how and by when you could appeal, so the {n}-month term only "
        "starts 4 months after you were informed of it (on {informed}), that is on {trigger}, and your "
        "appeal must arrive by {safe}.",
    },
    "complaint_closed": {
        "nl": "Uw klacht bij de Klachten- en Bemiddelingsdienst werd op {restarted} afgesloten; daardoor "
        "loopt er een nieuwe termijn van {n} maanden {start}, zodat uw beroep uiterlijk op {safe} binnen "
        "moet zijn.",
        "fr": "Votre plainte auprès du Service des plaintes et de la médiation a été clôturée le "
        "{restarted} ; un nouveau délai de {n} mois court donc {start}, de sorte que votre recours doit "
        "être reçu au plus tard le {safe}.",
        "de": "Ihre Beschwerde beim Beschwerde- und Vermittlungsdienst wurde am {restarted} abgeschlossen; "
        "daher läuft eine neue Frist von {n} Monaten {start}, und {appeal} muss spätestens am {safe} "
        "eingegangen sein.",
        "en": "Your complaint to the Complaints and Mediation Service was closed on {restarted}; a new "
        "{n}-month term therefore runs {start}, so your appeal must arrive by {safe}.",
    },
}
_START: Final[Mapping[str, Mapping[str, str]]] = {
    "third_day": {
        "nl": "vanaf de derde kalenderdag daarna",
        "fr": "à partir du troisième jour calendrier qui suit",
        "de": "ab dem dritten Kalendertag danach",
        "en": "from the third calendar day after that",
    },
    "notification": {
        "nl": "vanaf die dag",
        "fr": "à partir de ce jour",
        "de": "ab diesem Tag",
        "en": "from that day",
    },
}
# German names the appeal by what it is: an objection to the commission, a claim before a court.
_DE_APPEAL_NOUN: Final[Mapping[str, str]] = {
    "arbitration": "Ihr Einspruch",
    "labour_court": "Ihre Klage",
    "family_court": "Ihr Antrag",
}


def reason_sentence(facts: Mapping[str, Any], lang: str) -> str:
    """One plain-language sentence saying why the deadline is that day, from the engine's facts.

    Reads `trigger_reason`, `informed_on`, `trigger_on`, `restarted_on`, `term_months`, `counts_from`,
    `safe_deadline`, and `forum` when present (German words the appeal differently per forum).
    """
    _check_lang(lang)
    reason = facts["trigger_reason"]
    if reason not in _REASONS:
        raise ValueError(f"unknown trigger_reason {reason!r}; expected one of {tuple(_REASONS)}")

    def written(key: str) -> str:
        value = _as_date(facts.get(key))
        return format_date(value, lang) if value is not None else ""

    if reason == "complaint_closed" and _as_date(facts.get("restarted_on")) is None:
        raise ValueError("trigger_reason 'complaint_closed' needs restarted_on")
    counts_from = facts.get("counts_from") or "notification"
    return _REASONS[reason][lang].format(
        informed=written("informed_on"),
        trigger=written("trigger_on"),
        restarted=written("restarted_on"),
        safe=written("safe_deadline"),
        n=int(facts["term_months"]),
        start=_START[counts_from][lang],
        appeal=_DE_APPEAL_NOUN.get(str(facts.get("forum")), "Ihr Rechtsmittel"),
    )


# --- Contexts -------------------------------------------------------------------------------------


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
    _check_lang(lang)
    forum_id = window["forum"]
    if forum_id not in FORUMS:
        raise ValueError(f"unknown forum {forum_id!r}; expected one of {FORUMS}")
    kind = KINDS[window["kind"]]
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
            "kind": kind.id,
            "kind_label": kind.label[lang],
            "decided_on": decided_on,
            "decided_on_text": decided_text,
            "phrase": kind.phrase[lang].format(date=decided_text),
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
        "show_cost_note": BODIES[forum_id].cost_note is not None,
        "complaint_interrupts": forum_id in INTERRUPTIBLE_FORUMS,
        "bodies": {body_id: body_view(body_id, lang, district) for body_id in BODY_IDS},
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
    _check_lang(lang)

    def row(item: Mapping[str, Any]) -> dict[str, Any]:
        safe = _as_date(item["safe_deadline"])
        assert safe is not None
        days_left = int(item["days_left"])
        return {
            "beneficiary_name": str(item["beneficiary_name"]),
            "decision_id": item["decision_id"],
            "forum": item["forum"],
            "forum_name": BODIES[item["forum"]].short[lang],
            "safe_deadline": safe,
            "deadline_text": format_date(safe, lang),
            "days_left": days_left,
            "days_left_text": _days_left_short(days_left, lang),
        }

    rows = []
    for item in sorted(items, key=_by_deadline):
        kind = str(item.get("kind") or "")
        rows.append(
            {
                **row(item),
                "kind": kind,
                "kind_label": KINDS[kind].label[lang] if kind in KINDS else "",
                "stage": int(item["stage"]),
                "stage_text": _stage_text(int(item["stage"]), lang),
            }
        )
    missing = []
    for item in sorted(unreachable, key=_by_deadline):
        reason = str(item["reason"])
        missing.append(
            {
                **row(item),
                "reason": reason,
                "reason_text": _UNREACHABLE_REASON.get(reason, _UNREACHABLE_REASON["missing"])[lang],
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
