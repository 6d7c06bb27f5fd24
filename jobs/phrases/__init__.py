"""Every phrase a person reads that the code composes, in one module per language: `jobs/phrases/<lang>.py`.

Each language module is one instance of the `Phrases` dataclass (jobs/phrases/schema.py): the bodies' names
and sentences, the decision kinds, the counted phrases ("nog 3 dagen"), the reasons for a date, the labels of
contact details and the locale that writes its dates. A mail's own sentences stay in its templates
(`templates/<kind>/<lang>.*`), which arrange these phrases; so a translator works in `jobs/phrases/<lang>.py`
and `templates/*/<lang>.*`, and nowhere else. The organisations' contact details are data, the same in every
language, in jobs/organisations.py.

Why Python modules and not gettext catalogues (Babel, `locale/<lang>/LC_MESSAGES/appealwatch.po`):
- A missing phrase is caught before a night runs. Every field of `Phrases` is required, so a language
  that lacks one fails mypy (`make check`) and fails at import; tests/test_phrases.py checks the rest (no
  empty phrase, the same forums, kinds and reasons, the same named fields in every language). gettext
  answers a missing or fuzzy entry with the source text, silently, in the middle of a mail.
- The phrases are records, not loose sentences: a body has a name, a short name, how to file, a cost note
  or none; a kind a label and a phrase. Typed records say so and the code reads attributes; catalogues
  would flatten them into keys like "body.arbitration.how_to_file" that no gettext tool treats as text.
- Grammar that differs per language stays inside the language: German names the appeal by forum
  (Einspruch, Klage, Antrag) through `appeal_noun`, which Dutch, French and English fill with one noun;
  French writes "1er" for the first of the month; each language writes its own count forms (`Counted`:
  today / 1 / n). Our counts are "today, one, several", not CLDR plural categories, so ngettext's
  Plural-Forms would not carry them; neither do we need more than two number forms in nl, fr, de, en.
- Named fields are `str.format` fields (`{date}`, `{safe}`, `{district}`), checked per language by the test.
- No compile step: `make demo`, the wheel and the tests read plain Python; no .mo files to build or ship.
- The cost: translators edit string literals in a Python file rather than use Poedit or Weblate, and
  nothing marks a French phrase stale when the Dutch one changes (gettext's "fuzzy"). With four languages
  reviewed by people who read the code review, that is the better trade; should the fund hand the texts to
  a translation agency, the dataclasses can be exported to .po and read back with babel.messages.pofile.

Add a phrase: a field of `Phrases` (or of a record in it) in schema.py, then its text in every language
module; mypy names each module that lacks it. A new group of phrases (the supervisors' report, more sentences
in the mails) is one more record field, e.g. `report: ReportPhrases`, written in every language.

Add a language: its code to `Language` in deadlines/vocabulary.py, `jobs/phrases/<lang>.py` (copy nl.py),
its entry in `PHRASES` below, and `templates/<kind>/<lang>.subject|txt|html` for each kind.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from deadlines.vocabulary import LANGUAGES
from jobs.phrases import de, en, fr, nl
from jobs.phrases.schema import BodyPhrases, ContactLabels, Counted, KindPhrases, Phrases, ReportPhrases

__all__ = [
    "LANGUAGES",
    "PHRASES",
    "BodyPhrases",
    "ContactLabels",
    "Counted",
    "KindPhrases",
    "Phrases",
    "ReportPhrases",
    "phrases",
]

PHRASES: Final[Mapping[str, Phrases]] = {
    "nl": nl.PHRASES,
    "fr": fr.PHRASES,
    "de": de.PHRASES,
    "en": en.PHRASES,
}
"""One `Phrases` per language of the vocabulary (tests/test_phrases.py checks they are the same set)."""


def phrases(lang: str) -> Phrases:
    """The phrases of `lang`; a ValueError names the languages there are."""
    try:
        return PHRASES[lang]
    except KeyError:
        raise ValueError(f"unknown language {lang!r}; expected one of {LANGUAGES}") from None
