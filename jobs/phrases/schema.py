"""The shape of one language's phrases: every language module (`jobs/phrases/<lang>.py`) is one `Phrases`.

All fields of `Phrases` are required and keyword-only, so a language that lacks a phrase fails mypy and
fails at import (a missing keyword argument), before any test runs. Tables keyed by a word of the vocabulary
(a body, a forum, a kind, a trigger reason) are plain mappings, and a body's optional sentences default to
`None`; tests/test_phrases.py checks that every language has exactly the vocabulary's words in them, the
same sentences set or unset, no empty phrase, and the same named fields (`{date}`, `{safe}`, ...) in every
language.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class Counted:
    """A phrase with a number in it: `one` for 1, `other` (with `{n}`) for any other number.

    `zero`, when set, is said instead for 0 or less (the last day: "today is the last day"); when `None`,
    `other` is said for those too. Each language writes its own forms, so the grammar of its numbers stays
    its own (French says "1 jour", the others differ only in the words).
    """

    zero: str | None
    one: str
    other: str

    def __call__(self, n: int) -> str:
        if self.zero is not None and n <= 0:
            return self.zero
        return self.one if n == 1 else self.other.format(n=n)


@dataclass(frozen=True, kw_only=True)
class ContactLabels:
    """The label before each line of contact details; the order of the lines is data (jobs.organisations)."""

    phone: str
    email: str
    post: str
    website: str


@dataclass(frozen=True, kw_only=True)
class BodyPhrases:
    """What a body of domain.md's "Who is who" is called and says, in one language.

    `name` is the official (or established) name; `short` the name for tables and subjects; `phone_note`
    when the line is open and whether it is free; `in_person` a sentence on whether one may come by or hand
    in. For forums only: `appeal` the verb phrase "lodge an appeal with <body>" (article and preposition
    depend on the language and the body); `how_to_file` how to lodge it (the mail names the court itself
    beside it, jobs/courts.py); `request_holds` what the written request must hold, where the forum prescribes
    a form; `cost_note` what it costs, when the law says something about that. `None` means "this body has
    none", the same in every language.
    """

    name: str
    short: str
    phone_note: str | None = None
    in_person: str | None = None
    appeal: str | None = None
    how_to_file: str | None = None
    request_holds: str | None = None
    cost_note: str | None = None


@dataclass(frozen=True, kw_only=True)
class KindPhrases:
    """A decision kind: `label` names it in a table; `phrase` is "the decision of {date} about ..."."""

    label: str
    phrase: str


@dataclass(frozen=True, kw_only=True)
class ReportPhrases:
    """The supervisors' report (templates/report/report.html) and its mail, in one language.

    Plain tables keyed by the template's own names, so the one template reads `t.headings.act`,
    `t.columns.family`, `t.words.never_reminded`; tests/test_phrases.py checks every language has the Dutch
    keys, and rendering the report in each language (StrictUndefined) fails on a key the template lacks.
    Named fields (`{n}`, `{date}`, ...) are `str.format` fields, the same in every language.
    """

    headings: Mapping[str, str]
    """The title, the table of contents and the nine sections."""
    columns: Mapping[str, str]
    """Every column header of every table of the report and the workbook."""
    words: Mapping[str, str]
    """Labels and sentences: statuses, reasons, who fixes what, next steps, the mail's subject and text."""


@dataclass(frozen=True, kw_only=True)
class Phrases:
    """Every phrase the code puts into a mail, in one language. The templates arrange them.

    Named fields, filled by jobs.render:
    - `reasons` (one per trigger reason of deadlines.rules): `{informed}` `{trigger}` `{restarted}` `{safe}`
      written dates (with their weekday), `{n}` the term in months, `{start}` how the term starts (one of
      `starts`, per counts_from, itself with `{trigger}`), `{appeal}` the appeal as the subject of the sentence
      (`appeal_noun`), `{must}` the modal verb (`must`, or `must_passed` when the date has passed: a
      correction notice sent too late). Each says which day counts as day one, so that a family can recount
      the date.
    """

    locale: str
    """The CLDR locale whose calendar words write the dates (babel), e.g. "nl_BE"."""
    first_of_month: str
    """How the day number 1 is written in a date: "1", or French "1er" (CLDR writes "1")."""
    weekday_format: str
    """The CLDR pattern of a date with its weekday, as the mails write every date: "EEEE d MMMM y"."""
    short_format: str
    """The CLDR pattern of the date a subject carries, its weekday abbreviated: "EEE d MMMM y"."""
    court_of_district: str
    """The generic court, when the district is not known: `{court}` the court's short name, "arbeidsrechtbank
    van het gerechtelijk arrondissement waar u woont"."""
    district_note: str
    """After how to file at a court, the family's district, so that they can spot a wrong one: `{district}` a
    known district as written after the word for a district (jobs.courts.district_in_words: French "d'Eupen",
    "du Hainaut")."""
    district_note_other: str
    """The same for a district that is not one of the twelve: `{district}` as the fund records it, quoted
    as is (no article can be known for it)."""
    ask_advisor_court: str
    """After the generic court: the advisor says which court it is."""
    divisions_note: str
    """`{divisions}`: the labour court's divisions in the family's district."""
    either_court: str
    """`{first}` or `{second}`: Brussels's two courts, where the mail's language does not decide."""
    contact_labels: ContactLabels
    bodies: Mapping[str, BodyPhrases]
    """One per body id of jobs.organisations."""
    kinds: Mapping[str, KindPhrases]
    """One per decision kind of deadlines.vocabulary."""
    days_left: Counted
    """A sentence for the reminder: "U hebt nog 14 dagen."."""
    days_left_short: Counted
    """The digest's column: "nog 14 dagen"."""
    stage: Counted
    """Which reminder stage the digest row is: "herinnering 14 dagen vooraf"."""
    unreachable_reasons: Mapping[str, str]
    """Why a family cannot be e-mailed: "missing" or "invalid" address."""
    reasons: Mapping[str, str]
    """Why the deadline is that day, one sentence per trigger reason (deadlines.rules.TRIGGER_REASONS)."""
    starts: Mapping[str, str]
    """How the new term starts after a complaint, per counts_from (deadlines.rules.COUNTS_FROM)."""
    appeal_noun: Mapping[str, str]
    """The appeal as the subject of a reason sentence, per forum: German names it by what it is (an
    objection to the commission, a claim before a court); the other languages say the same for all."""
    appeal_noun_any: str
    """The appeal when the forum is not known."""
    must: str
    """The reason sentence's modal verb, present: "moet", "doit", "muss", "must"."""
    must_passed: str
    """The same in the past, for a date already passed: "moest", "devait", "musste", "had to"."""
    forum_the: Mapping[str, str]
    """Each forum with its article, as the subject of "... decides whether it is still in time"."""
    received_at: Mapping[str, str]
    """Where an appeal to each forum must arrive, after "received": a court's registry ("op de griffie van de
    arbeidsrechtbank", "au greffe du tribunal du travail"), the arbitration commission itself."""
    report: ReportPhrases
    """The supervisors' report: its headings, columns and sentences."""
