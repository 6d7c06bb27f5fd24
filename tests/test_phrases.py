"""The phrases are complete: every language of the vocabulary has every phrase, none is empty, and a phrase's
named fields are the same in every language, so a translator's slip fails here and never in a mail."""

from __future__ import annotations

import dataclasses
import string
from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

import pytest
from babel import Locale

from deadlines.rules import COUNTS_FROM, TRIGGER_REASONS
from deadlines.vocabulary import FORUMS, KINDS, LANGUAGES
from jobs.organisations import ORGANISATION_IDS
from jobs.phrases import PHRASES, Phrases, phrases
from jobs.render import format_date, reason_sentence

REFERENCE = "nl"  # translators start from the Dutch; every language must have what it has
UNREACHABLE_REASONS = ("missing", "invalid")  # jobs.inputs: why an address cannot be used

# Which words of the vocabulary each table of a language is keyed by.
KEYED_BY: dict[str, tuple[str, ...]] = {
    "bodies": ORGANISATION_IDS,
    "kinds": KINDS,
    "reasons": TRIGGER_REASONS,
    "starts": COUNTS_FROM,
    "appeal_noun": FORUMS,
    "unreachable_reasons": UNREACHABLE_REASONS,
}


def flatten(value: Any, where: str = "") -> Iterator[tuple[str, str | None]]:
    """Every phrase of `value` (a Phrases, a record in it, a table), as (where, text or None)."""
    if isinstance(value, str) or value is None:
        yield where, value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from flatten(item, f"{where}[{key!r}]")
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            yield from flatten(getattr(value, field.name), f"{where}.{field.name}")
    else:
        raise TypeError(f"{where}: a phrase is text, not {type(value).__name__}")


def named_fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def incomplete(by_language: Mapping[str, Phrases], languages: tuple[str, ...]) -> list[str]:
    """What the phrases lack against the vocabulary's languages and words and the reference language."""
    problems = [f"no phrases for {lang!r}" for lang in languages if lang not in by_language]
    problems += [
        f"phrases for {lang!r}, not a language of the vocabulary"
        for lang in by_language
        if lang not in languages
    ]
    reference = dict(flatten(by_language[REFERENCE]))
    for lang, said in by_language.items():
        for table, words in KEYED_BY.items():
            if set(getattr(said, table)) != set(words):
                problems.append(
                    f"{lang}.{table} has {sorted(getattr(said, table))}, the vocabulary {sorted(words)}"
                )
        phrases_of = dict(flatten(said))
        for where in sorted(reference.keys() - phrases_of.keys()):
            problems.append(f"{lang}{where} is missing")
        for where, text in phrases_of.items():
            if where not in reference:
                problems.append(f"{lang}{where} is beyond the reference language's phrases")
            elif text is None or reference[where] is None:
                if (text is None) != (reference[where] is None):
                    problems.append(
                        f"{lang}{where} is {'unset' if text is None else 'set'}, unlike {REFERENCE}"
                    )
            elif not text.strip():
                problems.append(f"{lang}{where} is empty")
            elif named_fields(text) != named_fields(reference[where]):
                problems.append(
                    f"{lang}{where} names {sorted(named_fields(text))}, "
                    f"{REFERENCE} {sorted(named_fields(reference[where]))}"
                )
    return problems


def test_every_language_has_every_phrase_with_the_same_named_fields() -> None:
    assert incomplete(PHRASES, LANGUAGES) == []
    # The check read real phrases: the bodies' sentences, the reasons with their fields, the counted forms.
    phrases_of = dict(flatten(PHRASES[REFERENCE]))
    assert len(phrases_of) > 60
    assert named_fields(str(phrases_of[".reasons['art89_four_months']"])) == {
        "n", "informed", "trigger", "appeal", "safe", "must"
    }  # fmt: skip
    assert phrases_of[".days_left.other"] == "U hebt nog {n} dagen."


def test_a_fifth_language_without_its_phrases_fails() -> None:
    assert incomplete(PHRASES, (*LANGUAGES, "it")) == ["no phrases for 'it'"]


def test_a_missing_empty_or_differently_named_phrase_fails() -> None:
    fr = PHRASES["fr"]
    broken = dataclasses.replace(
        fr,
        kinds={kind: said for kind, said in fr.kinds.items() if kind != "care_allowance"},
        bodies={
            **fr.bodies,
            "ombudsman": dataclasses.replace(fr.bodies["ombudsman"], short=" ", in_person=None),
        },
        reasons={**fr.reasons, "notification": fr.reasons["notification"].replace("{safe}", "{deadline}")},
    )
    problems = incomplete({**PHRASES, "fr": broken}, LANGUAGES)
    assert problems == [
        f"fr.kinds has {sorted(set(KINDS) - {'care_allowance'})}, the vocabulary {sorted(KINDS)}",
        "fr.kinds['care_allowance'].label is missing",
        "fr.kinds['care_allowance'].phrase is missing",
        "fr.bodies['ombudsman'].short is empty",
        "fr.bodies['ombudsman'].in_person is unset, unlike nl",
        "fr.reasons['notification'] names ['appeal', 'deadline', 'informed', 'must', 'n'], "
        "nl ['appeal', 'informed', 'must', 'n', 'safe']",
    ]


def test_a_phrase_for_a_word_outside_the_vocabulary_fails() -> None:
    de = PHRASES["de"]
    broken = dataclasses.replace(de, appeal_noun={**de.appeal_noun, "council_of_state": "Ihre Beschwerde"})
    assert incomplete({**PHRASES, "de": broken}, LANGUAGES) == [
        f"de.appeal_noun has {sorted([*FORUMS, 'council_of_state'])}, the vocabulary {sorted(FORUMS)}",
        "de.appeal_noun['council_of_state'] is beyond the reference language's phrases",
    ]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_each_language_writes_its_dates_in_its_own_locale(lang: str) -> None:
    assert Locale.parse(PHRASES[lang].locale).language == lang


@pytest.mark.parametrize(
    ("lang", "first", "plain"),
    [
        ("nl", "1 juni 2025", "2 juni 2025"),
        ("fr", "1er juin 2025", "2 juin 2025"),
        ("de", "1. Juni 2025", "2. Juni 2025"),
        ("en", "1 June 2025", "2 June 2025"),
    ],
)
def test_the_first_of_the_month_is_written_as_each_language_writes_it(
    lang: str, first: str, plain: str
) -> None:
    assert (format_date(date(2025, 6, 1), lang), format_date(date(2025, 6, 2), lang)) == (first, plain)


@pytest.mark.parametrize(
    ("lang", "n", "said"),
    [
        ("nl", 0, "Vandaag is de laatste dag."),
        ("nl", 1, "Morgen is de laatste dag."),
        ("nl", 14, "U hebt nog 14 dagen."),
        ("fr", 2, "Il vous reste 2 jours."),
        ("de", -1, "Heute ist der letzte Tag."),
    ],
)
def test_a_counted_phrase_says_today_one_or_n(lang: str, n: int, said: str) -> None:
    assert phrases(lang).days_left(n) == said


def test_a_stage_has_no_today_form() -> None:
    assert [phrases("en").stage(n) for n in (0, 1, 3)] == [
        "0-day reminder",
        "1-day reminder",
        "3-day reminder",
    ]


@pytest.mark.parametrize(
    ("forum", "appeal"),
    [
        ("arbitration", "Ihr Einspruch"),
        ("labour_court", "Ihre Klage"),
        ("family_court", "Ihr Antrag"),
        (None, "Ihr Rechtsmittel"),
    ],
)
def test_german_names_the_appeal_by_its_forum_and_the_others_say_one_noun(
    forum: str | None, appeal: str
) -> None:
    facts = {
        "trigger_reason": "notification",
        "informed_on": date(2025, 3, 10),
        "safe_deadline": date(2025, 6, 12),
        "term_months": 3,
        "forum": forum,
    }
    # Issue 10 reworded these: every date with its weekday, Dutch "moet zijn ingediend".
    assert (
        f"daher muss {appeal} spätestens am Donnerstag, 12. Juni 2025 eingegangen sein."
        in reason_sentence(facts, "de")
    )
    assert "zodat uw beroep uiterlijk op donderdag 12 juni 2025 moet zijn ingediend." in reason_sentence(
        facts, "nl"
    )


def test_an_unknown_language_is_refused_by_name() -> None:
    with pytest.raises(
        ValueError, match=r"unknown language 'es'; expected one of \('nl', 'fr', 'de', 'en'\)"
    ):
        phrases("es")
