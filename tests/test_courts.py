"""The family's judicial district as a mail writes it: French with the preposition and article each district
takes after "arrondissement judiciaire" ("d'Eupen", "du Hainaut", "de Liège"), German "im Gerichtsbezirk
Eupen", however the fund spelled the district. Read from the rendered labour-court reminder, as a family
reads it; the expected forms are written out by hand here, not read from jobs.courts.
"""

from __future__ import annotations

import html
import re

import pytest
from test_reminder_mails import ADVISOR, FUND, WINDOW

from jobs.courts import DISTRICTS, district_in_words
from jobs.render import build_reminder_context, render

# The twelve districts, spelled as a fund might record them (Dutch or French, any case), and the French
# form after "l'arrondissement judiciaire".
FRENCH = [
    ("Antwerpen", "d'Anvers"),
    ("LIMBURG", "du Limbourg"),
    ("Oost-Vlaanderen", "de Flandre orientale"),
    ("flandre-occidentale", "de Flandre occidentale"),
    ("Leuven", "de Louvain"),
    ("Brussel", "de Bruxelles"),
    ("Brabant wallon", "du Brabant wallon"),
    ("Henegouwen", "du Hainaut"),
    ("Luik", "de Liège"),
    ("Namur", "de Namur"),
    ("Luxemburg", "du Luxembourg"),
    ("eupen", "d'Eupen"),
]


def _how_to(lang: str, district: str) -> str:
    """The labour-court reminder's text and HTML (as read) for a family of `district`, on one line each."""
    who = {"id": 1, "full_name": "An Peeters", "judicial_district": district}
    window = {**WINDOW, "forum": "labour_court", "kind": "care_allowance", "days_left": 20, "stage": 30}
    r = render("reminder", lang, build_reminder_context(window, who, ADVISOR, FUND, lang))
    seen = html.unescape(re.sub(r"<[^>]+>", "", r.html))
    return " ".join(r.text.split()) + "\n" + " ".join(seen.split())


def test_the_table_covers_the_twelve_districts_once() -> None:
    assert len(DISTRICTS) == 12
    assert {district_in_words(spelled, "fr") for spelled, _ in FRENCH} == {form for _, form in FRENCH}


@pytest.mark.parametrize(("spelled", "form"), FRENCH)
def test_a_french_mail_names_each_district_with_its_article(spelled: str, form: str) -> None:
    text = _how_to("fr", spelled)
    sentence = f"Selon nos informations, vous habitez dans l'arrondissement judiciaire {form}."
    assert text.count(sentence) == 2, text  # the text part and the HTML part
    assert "arrondissement judiciaire " + spelled not in text


def test_a_german_mail_says_im_gerichtsbezirk_with_the_german_name() -> None:
    assert "Laut unseren Unterlagen wohnen Sie im Gerichtsbezirk Eupen." in _how_to("de", "Eupen")
    assert "im Gerichtsbezirk Lüttich." in _how_to("de", "Liège")


def test_a_dutch_or_english_mail_uses_its_own_name_of_the_district() -> None:
    assert "woont u in het gerechtelijk arrondissement West-Vlaanderen." in _how_to(
        "nl", "flandre occidentale"
    )
    assert "you live in the judicial district of Walloon Brabant." in _how_to("en", "Waals-Brabant")


def test_an_unknown_district_is_quoted_as_recorded_without_a_guessed_article() -> None:
    text = _how_to("fr", "Atlantis")
    assert "Selon nos informations, votre arrondissement judiciaire est : Atlantis." in text
    assert "d'Atlantis" not in text and "de Atlantis" not in text
