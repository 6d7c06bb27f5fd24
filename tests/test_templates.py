"""The e-mails: every kind x language renders, and says what domain.md's "Reminders" requires.

Expected strings are written from domain.md, the seed and each language's conventions, not copied from
our own output.
"""

from __future__ import annotations

import html
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import jinja2
import jinja2.bccache
import pytest

from jobs.render import (
    LANGUAGES,
    PARTS,
    TEMPLATE_KINDS,
    Rendered,
    _environment,
    build_correction_context,
    build_digest_context,
    build_reminder_context,
    days_left_text,
    format_date,
    format_day,
    reason_sentence,
    render,
    template_cache,
    templates_dir,
)

FORUMS = ("arbitration", "labour_court", "family_court")
FUND = {
    "name": "Infino",
    "phone": "078 15 15 10",
    "email": "info@infino.example",
    "website": "www.infino.example",
}
ADVISOR = {"id": 7, "full_name": "Sofie Janssens", "email": "sofie.janssens@infino.example", "team": "Gent"}

# domain.md's worked example: arbitration, informed Mon 2025-03-10, safe deadline Thu 2025-06-12.
DEADLINE_WORDS = {"nl": "12 juni 2025", "fr": "12 juin 2025", "de": "12. Juni 2025", "en": "12 June 2025"}

FORUM_NAMES = {
    "arbitration": {"nl": "Geschillencommissie", "fr": "Commission d'arbitrage", "de": "Schiedskommission",
                    "en": "Arbitration Commission"},
    "labour_court": {"nl": "arbeidsrechtbank", "fr": "tribunal du travail", "de": "Arbeitsgericht",
                     "en": "labour court"},
    "family_court": {"nl": "familierechtbank", "fr": "tribunal de la famille", "de": "Familiengericht",
                     "en": "family court"},
}  # fmt: skip

# Contact details as domain.md gives them, identical in every language.
FORUM_CONTACTS = {
    "arbitration": [
        "geschillencommissie@kindengezin.be",
        "Kind en Gezin, Geschillencommissie, Hallepoortlaan 27, 1060 Brussel",
    ],
    "labour_court": [],
    "family_court": [],
}
COMPLAINTS_SERVICE = [
    "02/897 10 60",
    "info@groeipakket.be",
    "Agentschap Uitbetaling Groeipakket, Klachten- en Bemiddelingsdienst, Trierstraat 9, 1000 Brussel",
]
OMBUDSMAN = ["1700", "info@vlaamseombudsdienst.be", "Vlaamse Ombudsdienst, Leuvenseweg 86, 1000 Brussel"]

# How each language says "the complaint interrupts the term", and "unfounded" of the cost note.
INTERRUPTS = {"nl": "onderbroken", "fr": "interrompu", "de": "unterbrochen", "en": "interrupted"}
UNFOUNDED = {"nl": "ongegrond", "fr": "infondé", "de": "unbegründet", "en": "unfounded"}

KIND_OF_FORUM = {
    "arbitration": "payment",
    "labour_court": "care_allowance",
    "family_court": "beneficiary_designation",
}


def window(forum: str = "arbitration", **changes: Any) -> dict[str, Any]:
    """A window as the engine gives it, by default domain.md's arbitration example."""
    w: dict[str, Any] = {
        "decision_id": 4711,
        "kind": KIND_OF_FORUM[forum],
        "forum": forum,
        "decided_on": date(2025, 3, 7),
        "safe_deadline": date(2025, 6, 12),
        "days_left": 14,
        "stage": 14,
        "trigger_reason": "third_day_after_informed" if forum == "arbitration" else "notification",
        "informed_on": date(2025, 3, 10),
        "trigger_on": date(2025, 3, 13) if forum == "arbitration" else date(2025, 3, 10),
        "restarted_on": None,
        "term_months": 6 if forum == "family_court" else 3,
        "counts_from": "third_day" if forum == "arbitration" else "notification",
    }
    w.update(changes)
    return w


def beneficiary(**changes: Any) -> dict[str, Any]:
    b: dict[str, Any] = {
        "id": 1,
        "full_name": "An Peeters",
        "email": "an.peeters@example.be",
        "language": "nl",
        "judicial_district": "Gent",
    }
    b.update(changes)
    return b


def reminder(forum: str, lang: str, advisor: dict[str, Any] | None = ADVISOR, **changes: Any) -> Rendered:
    who = changes.pop("beneficiary", beneficiary(language=lang))
    return render(
        "reminder", lang, build_reminder_context(window(forum, **changes), who, advisor, FUND, lang)
    )


def both_parts(r: Rendered) -> list[str]:
    """The text part, and the HTML part as a reader sees it (entities decoded)."""
    return [r.text, html.unescape(r.html)]


# --- Dates and the reason sentence --------------------------------------------------------------


@pytest.mark.parametrize(("lang", "expected"), sorted(DEADLINE_WORDS.items()))
def test_it_writes_the_date_in_words_of_the_language(lang: str, expected: str) -> None:
    assert format_date(date(2025, 6, 12), lang) == expected


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("nl", "1 juli 2025"), ("fr", "1er juillet 2025"), ("de", "1. Juli 2025"), ("en", "1 July 2025")],
)
def test_it_writes_the_first_of_the_month_as_each_language_does(lang: str, expected: str) -> None:
    assert format_date(date(2025, 7, 1), lang) == expected


def test_the_english_reason_reads_as_the_brief_says() -> None:
    # Issue 10: "time limit", not "term"; every date with its weekday; the day that counts as day one.
    assert reason_sentence(window("arbitration"), "en") == (
        "You were informed of the decision on Monday 10 March 2025; the 3-month time limit starts on the third "
        "calendar day after that, Thursday 13 March 2025, which already counts as day one, so your appeal "
        "must arrive by Thursday 12 June 2025."
    )


# domain.md's worked examples, one per reason: (facts, dates that must appear in the sentence).
REASON_CASES = [
    pytest.param(
        {"trigger_reason": "notification", "informed_on": date(2024, 11, 30), "trigger_on": date(2024, 11, 30),
         "restarted_on": None, "term_months": 3, "counts_from": "notification",
         "safe_deadline": date(2025, 2, 28), "forum": "labour_court"},
        [date(2024, 11, 30), date(2025, 2, 28)], "3", id="care_allowance-notified",
    ),
    pytest.param(
        {"trigger_reason": "third_day_after_informed", "informed_on": date(2025, 1, 25),
         "trigger_on": date(2025, 1, 28), "restarted_on": None, "term_months": 3, "counts_from": "third_day",
         "safe_deadline": date(2025, 4, 27), "forum": "labour_court"},
        [date(2025, 1, 25), date(2025, 4, 27)], "3", id="arbitration_ruling-third-day",
    ),
    pytest.param(
        {"trigger_reason": "art89_four_months", "informed_on": date(2025, 9, 15), "trigger_on": date(2026, 1, 15),
         "restarted_on": None, "term_months": 3, "counts_from": "third_day",
         "safe_deadline": date(2026, 4, 14), "forum": "arbitration"},
        [date(2025, 9, 15), date(2026, 1, 15), date(2026, 4, 14)], "3", id="art89-four-months",
    ),
    pytest.param(
        {"trigger_reason": "complaint_closed", "informed_on": date(2025, 1, 31), "trigger_on": date(2025, 5, 2),
         "restarted_on": date(2025, 5, 2), "term_months": 6, "counts_from": "notification",
         "safe_deadline": date(2025, 11, 2), "forum": "family_court"},
        [date(2025, 5, 2), date(2025, 11, 2)], "6", id="family-court-complaint-closed",
    ),
]  # fmt: skip


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize(("facts", "dates", "months"), REASON_CASES)
def test_the_reason_is_one_sentence_naming_the_dates_that_make_the_deadline(
    facts: dict[str, Any], dates: list[date], months: str, lang: str
) -> None:
    sentence = reason_sentence(facts, lang)
    assert "\n" not in sentence and sentence.endswith(".")
    for d in dates:
        assert format_date(d, lang) in sentence
    without_dates = sentence
    for key in ("informed_on", "trigger_on", "restarted_on", "safe_deadline"):
        if facts[key]:
            without_dates = without_dates.replace(format_date(facts[key], lang), "DATE")
    assert ". " not in without_dates  # one sentence ("12. Juni" is not a full stop)
    assert f"{months} " in sentence or f"{months}-month" in sentence


@pytest.mark.parametrize(
    ("lang", "third_day"),
    [("nl", "derde kalenderdag"), ("fr", "troisième jour calendrier"), ("de", "dritten Kalendertag"),
     ("en", "third calendar day")],
)  # fmt: skip
def test_a_restarted_arbitration_term_runs_from_the_third_day_after_the_complaint_closed(
    lang: str, third_day: str
) -> None:
    facts = window("arbitration", trigger_reason="complaint_closed", restarted_on=date(2025, 5, 2))
    sentence = reason_sentence(facts, lang)
    assert third_day in sentence and format_date(date(2025, 5, 2), lang) in sentence


def test_a_closed_complaint_without_its_closing_day_is_refused() -> None:
    with pytest.raises(ValueError, match="restarted_on"):
        reason_sentence(window("arbitration", trigger_reason="complaint_closed"), "nl")


def test_an_unknown_reason_is_refused() -> None:
    with pytest.raises(ValueError, match="trigger_reason"):
        reason_sentence(window("arbitration", trigger_reason="moon_phase"), "nl")


# --- The beneficiary's reminder -----------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("forum", FORUMS)
def test_a_reminder_renders_for_every_forum_and_language(forum: str, lang: str) -> None:
    r = reminder(forum, lang)
    assert r.subject and "\n" not in r.subject
    assert r.text.strip() and r.html.strip()
    assert f'<html lang="{lang}">' in r.html
    for part in both_parts(r):
        assert "An Peeters" in part
        assert DEADLINE_WORDS[lang] in part
        assert FORUM_NAMES[forum][lang] in part
        assert "4711" in part
    assert DEADLINE_WORDS[lang] in r.subject


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("forum", FORUMS)
def test_a_reminder_gives_the_forums_contact_details(forum: str, lang: str) -> None:
    for part in both_parts(reminder(forum, lang)):
        for detail in FORUM_CONTACTS[forum]:
            assert detail in part


@pytest.mark.parametrize(
    ("lang", "registered_mail"),
    [("nl", "aangetekend"), ("fr", "recommandé"), ("de", "Einschreiben"), ("en", "registered post")],
)
def test_a_labour_court_reminder_says_to_send_the_request_by_registered_mail(
    lang: str, registered_mail: str
) -> None:
    for part in both_parts(reminder("labour_court", lang)):
        assert registered_mail in part
        assert "Gent" in part  # the beneficiary's judicial district


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("forum", FORUMS)
def test_a_reminder_gives_the_complaints_service_and_ombudsman_contacts_in_the_seeds_order(
    forum: str, lang: str
) -> None:
    for part in both_parts(reminder(forum, lang)):
        for detail in COMPLAINTS_SERVICE + OMBUDSMAN:
            assert detail in part
        fund = part.rindex(FUND["email"])  # the fund's own contact, route 1
        assert fund < part.index("info@groeipakket.be") < part.index("info@vlaamseombudsdienst.be")


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("forum", FORUMS)
def test_only_an_arbitration_reminder_has_the_cost_note(forum: str, lang: str) -> None:
    for part in both_parts(reminder(forum, lang)):
        assert (UNFOUNDED[lang] in part) == (forum == "arbitration")


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize(
    ("forum", "interrupts"), [("arbitration", True), ("family_court", True), ("labour_court", False)]
)
def test_only_arbitration_and_family_court_reminders_say_a_complaint_interrupts_the_term(
    forum: str, interrupts: bool, lang: str
) -> None:
    for part in both_parts(reminder(forum, lang)):
        assert (INTERRUPTS[lang] in part) == interrupts


@pytest.mark.parametrize(
    ("lang", "days"), [("nl", "nog 30 dagen"), ("fr", "30 jours"), ("de", "30 Tage"), ("en", "30 days left")]
)
def test_a_reminder_says_how_many_days_are_left(lang: str, days: str) -> None:
    for part in both_parts(reminder("arbitration", lang, days_left=30, stage=30)):
        assert days in part


@pytest.mark.parametrize(
    ("lang", "today"),
    [("nl", "Vandaag is de laatste dag"), ("fr", "aujourd'hui le dernier jour"), ("de", "Heute ist der letzte Tag"),
     ("en", "Today is the last day")],
)  # fmt: skip
def test_a_reminder_on_the_deadline_itself_says_today_is_the_last_day(lang: str, today: str) -> None:
    for part in both_parts(reminder("arbitration", lang, days_left=0, stage=2)):
        assert today in part


@pytest.mark.parametrize(
    ("lang", "kind_label"),
    [("nl", "zorgtoeslag"), ("fr", "supplément de soins"), ("de", "Pflegezulage"), ("en", "care allowance")],
)
def test_a_reminder_names_the_kind_and_date_of_the_decision(lang: str, kind_label: str) -> None:
    decided = format_date(date(2025, 3, 7), lang)
    for part in both_parts(reminder("labour_court", lang)):
        assert kind_label in part and decided in part


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_reminder_names_the_advisor_to_contact(lang: str) -> None:
    for part in both_parts(reminder("arbitration", lang)):
        assert "Sofie Janssens" in part and "sofie.janssens@infino.example" in part


@pytest.mark.parametrize("lang", LANGUAGES)
def test_without_an_advisor_a_reminder_sends_the_family_to_the_fund(lang: str) -> None:
    for part in both_parts(reminder("family_court", lang, advisor=None)):
        assert "Sofie Janssens" not in part
        assert part.count(FUND["phone"]) == 2  # "need help?" and route 1


@pytest.mark.parametrize("lang", LANGUAGES)
def test_an_empty_fund_phone_is_left_out_not_invented(lang: str) -> None:
    context = build_reminder_context(window(), beneficiary(), None, {**FUND, "phone": ""}, lang)
    r = render("reminder", lang, context)
    assert "078 15 15 10" not in r.text


@pytest.mark.parametrize(
    ("lang", "automatic"),
    [("nl", "automatisch"), ("fr", "automatiquement"), ("de", "automatisch"), ("en", "automatically")],
)
def test_a_reminder_says_it_is_automatic_and_may_be_ignored_after_an_appeal(
    lang: str, automatic: str
) -> None:
    ignore = {"nl": "negeren", "fr": "ignorer", "de": "ignorieren", "en": "ignore"}[lang]
    for part in both_parts(reminder("arbitration", lang)):
        assert automatic in part and ignore in part


NOT_STOPPING_HEADING = {
    "nl": ("NAAST UW BEROEP: ANDERE HULP (deze wegen stoppen de termijn niet)",
           "Naast uw beroep: andere hulp (deze wegen stoppen de termijn niet)"),
    "fr": ("EN PLUS DE VOTRE RECOURS : AUTRES AIDES (elles n'arrêtent pas le délai)",
           "En plus de votre recours : autres aides (elles n'arrêtent pas le délai)"),
    "de": ("NEBEN IHRER KLAGE: WEITERE HILFE (diese Wege halten die Frist nicht an)",
           "Neben Ihrer Klage: weitere Hilfe (diese Wege halten die Frist nicht an)"),
    "en": ("BESIDES YOUR APPEAL: OTHER HELP (these do not stop the time limit)",
           "Besides your appeal: other help (these do not stop the time limit)"),
}  # fmt: skip


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("days_left", [30])
@pytest.mark.parametrize(
    ("forum", "stops"), [("labour_court", False), ("arbitration", True), ("family_court", True)]
)
def test_the_other_routes_heading_says_at_once_when_they_do_not_stop_the_time_limit(
    forum: str, stops: bool, days_left: int, lang: str
) -> None:
    text_heading, html_heading = NOT_STOPPING_HEADING[lang]
    r = reminder(forum, lang, days_left=days_left, stage=min(days_left, 14))
    assert (text_heading in r.text) == (not stops)
    assert (html_heading in html.unescape(r.html)) == (not stops)


RULING_APPEALED = {
    "nl": "Hebt u deze uitspraak al voorgelegd aan de arbeidsrechtbank? Dan hoeft u niets meer te doen",
    "fr": "Vous avez déjà porté cette décision devant le tribunal du travail ? ",
    "de": "Haben Sie diese Entscheidung bereits vor das Arbeitsgericht gebracht? Dann müssen Sie nichts weiter tun",
    "en": "Have you already taken this ruling to the labour court? Then you do not need to do anything else",
}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_rulings_mails_ask_whether_the_ruling_went_to_the_labour_court_not_whether_they_appealed(
    lang: str,
) -> None:
    """The family has appealed already (to the commission): "have you already appealed?" would mislead."""
    ruling = window("labour_court", kind="arbitration_ruling", old_deadline=date(2025, 6, 20), why="informed")
    reminder_ = render("reminder", lang, build_reminder_context(ruling, beneficiary(), ADVISOR, FUND, lang))
    notice = render("correction", lang, build_correction_context(ruling, beneficiary(), ADVISOR, FUND, lang))
    appealed = {
        "nl": "Hebt u al beroep",
        "fr": "déjà introduit un recours",
        "de": "bereits",
        "en": "already appealed",
    }
    for part in both_parts(reminder_) + both_parts(notice):
        assert RULING_APPEALED[lang] in part
        assert appealed[lang] not in part.replace(RULING_APPEALED[lang], "")
    for part in both_parts(reminder("labour_court", lang)):
        assert RULING_APPEALED[lang] not in part
    if lang == "nl":
        for part in both_parts(reminder_):
            assert "Referentie van de uitspraak: 4711" in part and "Referentie van de beslissing" not in part


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_beneficiarys_name_is_escaped_in_html_and_raw_in_text(lang: str) -> None:
    name = "<script>alert(1)</script> & Co"
    r = reminder("arbitration", lang, beneficiary=beneficiary(full_name=name))
    assert name in r.text
    assert "<script>" not in r.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in r.html


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_subject_is_one_line_even_if_the_name_holds_a_newline(lang: str) -> None:
    r = reminder("arbitration", lang, beneficiary=beneficiary(full_name="An\r\nBcc: evil@example.com"))
    assert "\n" not in r.subject and "\r" not in r.subject
    assert "An Bcc: evil@example.com" in r.subject


# --- The advisor's digest -----------------------------------------------------------------------

ITEMS = [
    {"beneficiary_name": "Jan Peeters", "decision_id": 12, "kind": "care_allowance", "forum": "labour_court",
     "safe_deadline": date(2025, 6, 20), "days_left": 14, "stage": 14},
    {"beneficiary_name": "Marie Dubois", "decision_id": 7, "kind": "payment", "forum": "arbitration",
     "safe_deadline": date(2025, 6, 9), "days_left": 3, "stage": 3},
]  # fmt: skip
UNREACHABLE = [
    {"beneficiary_name": "Karim El Idrissi", "decision_id": 99, "forum": "family_court",
     "safe_deadline": date(2025, 7, 6), "days_left": 30, "reason": "invalid"},
    {"beneficiary_name": "Lotte Maes", "decision_id": 5, "forum": "arbitration",
     "safe_deadline": date(2025, 6, 8), "days_left": 2, "reason": "missing"},
]  # fmt: skip
NIGHT = date(2025, 6, 6)
NO_ADDRESS = {
    "nl": ("Geen bruikbaar e-mailadres", "geen e-mailadres", "ongeldig e-mailadres"),
    "fr": ("Pas d'adresse e-mail utilisable", "pas d'adresse e-mail", "adresse e-mail non valide"),
    "de": ("Keine nutzbare E-Mail-Adresse", "keine E-Mail-Adresse", "ungültige E-Mail-Adresse"),
    "en": ("No usable e-mail address", "no e-mail address", "invalid e-mail address"),
}
CALL = {
    "nl": "Graag bellen of schrijven",
    "fr": "Merci d'appeler ou d'écrire",
    "de": "Bitte anrufen oder schreiben",
    "en": "Please call or write",
}
GREETING = {"nl": "Beste", "fr": "Bonjour", "de": "Guten Tag", "en": "Dear"}


def digest(
    lang: str, items: list[dict[str, Any]] = ITEMS, unreachable: list[dict[str, Any]] = UNREACHABLE
) -> Rendered:
    return render("digest", lang, build_digest_context(ADVISOR, items, unreachable, NIGHT, FUND, lang))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_digest_renders_in_every_language(lang: str) -> None:
    r = digest(lang)
    assert r.subject and "\n" not in r.subject
    assert format_date(NIGHT, lang) in r.subject
    for part in both_parts(r):
        assert f"{GREETING[lang]} Sofie Janssens" in part
        assert format_date(NIGHT, lang) in part
        for item in ITEMS + UNREACHABLE:
            assert item["beneficiary_name"] in part
            assert format_date(item["safe_deadline"], lang) in part
        assert FORUM_NAMES["arbitration"][lang] in part


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_digest_lists_families_by_deadline_and_says_who_has_no_address(lang: str) -> None:
    _title, missing, invalid = NO_ADDRESS[lang]
    for part in both_parts(digest(lang)):
        # 8 June, 9 June, 20 June, 6 July: one order, each family's block saying whom to call and why
        names = ["Lotte Maes", "Marie Dubois", "Jan Peeters", "Karim El Idrissi"]
        assert [part.index(n) for n in names] == sorted(part.index(n) for n in names)
        lotte = part[part.index("Lotte Maes") : part.index("Marie Dubois")]
        karim = part[part.index("Karim El Idrissi") :]
        assert missing in lotte and CALL[lang] in lotte
        assert invalid in karim and CALL[lang] in karim
        assert CALL[lang] not in part[part.index("Marie Dubois") : part.index("Karim El Idrissi")]


def test_the_digest_context_sorts_families_by_deadline() -> None:
    context = build_digest_context(ADVISOR, ITEMS, UNREACHABLE, NIGHT, FUND, "en")
    assert [[d["decision_id"] for d in f["decisions"]] for f in context["families"]] == [[5], [7], [12], [99]]
    assert [d["family"] for f in context["families"] for d in f["decisions"]] == [
        "to_call", "not_tonight", "not_tonight", "to_call"
    ]  # fmt: skip


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_digest_without_unreachable_families_has_no_such_section(lang: str) -> None:
    title = NO_ADDRESS[lang][0].lower()
    for part in both_parts(digest(lang, unreachable=[])):
        assert title not in part.lower()
        assert CALL[lang] not in part


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_digest_with_only_unreachable_families_still_renders(lang: str) -> None:
    for part in both_parts(digest(lang, items=[])):
        assert "Lotte Maes" in part


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_digest_escapes_names_in_html(lang: str) -> None:
    evil = [{**ITEMS[0], "beneficiary_name": "<b>Jan</b>"}]
    r = digest(lang, items=evil, unreachable=[])
    assert "<b>Jan</b>" in r.text and "&lt;b&gt;Jan&lt;/b&gt;" in r.html


# --- Templates by convention --------------------------------------------------------------------


def test_every_kind_has_every_language_and_all_three_parts() -> None:
    root = templates_dir()
    for kind in TEMPLATE_KINDS:
        for lang in LANGUAGES:
            for part in PARTS:
                assert (root / kind / f"{lang}.{part}").is_file(), f"missing {kind}/{lang}.{part}"


def test_there_are_no_stray_template_files() -> None:
    root = templates_dir()
    expected = {f"{kind}/{lang}.{part}" for kind in TEMPLATE_KINDS for lang in LANGUAGES for part in PARTS}
    expected.add("report/report.html")  # the supervisors' report: one page, its words from jobs.phrases
    found = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}
    shared = {name for name in found if name.startswith("_macros/")}
    assert found - shared == expected


def test_the_templates_are_found_beside_the_package_in_a_checkout() -> None:
    assert templates_dir().name == "templates" and (templates_dir() / "reminder").is_dir()


@pytest.mark.parametrize(("kind", "lang"), [("letter", "nl"), ("reminder", "es")])
def test_render_refuses_an_unknown_kind_or_language(kind: str, lang: str) -> None:
    with pytest.raises(ValueError):
        render(kind, lang, {})


@pytest.mark.parametrize("lang", LANGUAGES)
def test_an_advisor_without_e_mail_is_named_and_the_fund_is_given_to_reach_them(lang: str) -> None:
    for part in both_parts(reminder("labour_court", lang, advisor={**ADVISOR, "email": None})):
        assert "Sofie Janssens" in part
        assert part.count(FUND["phone"]) == 2  # beside the advisor, and route 1


# A digest with every kind of entry: a family with phone, a decision needing confirmation, a window in grace,
# an open complaint and a corrected date (issue 10 passes corrections; the digest lists them already).
FULL_ITEMS = [
    {**ITEMS[0], "beneficiary_id": 1, "beneficiary_lang": "fr", "beneficiary_phone": "0470 12 34 56",
     "latest_deadline": date(2025, 6, 23), "needs_confirmation": True},
]  # fmt: skip
FULL_OTHERS = [
    {"beneficiary_id": 1, "beneficiary_name": "Jan Peeters", "decision_id": 30, "kind": "payment",
     "forum": "arbitration", "status": "grace", "safe_deadline": date(2025, 6, 1),
     "latest_deadline": date(2025, 6, 10), "needs_confirmation": False},
    {"beneficiary_id": 1, "beneficiary_name": "Jan Peeters", "decision_id": 31, "kind": "payment",
     "forum": "arbitration", "status": "interrupted", "safe_deadline": None, "latest_deadline": None,
     "interrupted_since": date(2025, 5, 2)},
]  # fmt: skip
FULL_CORRECTIONS = [
    {"beneficiary_id": 1, "beneficiary_name": "Jan Peeters", "decision_id": 12, "kind": "care_allowance",
     "forum": "labour_court", "old_deadline": date(2025, 6, 27), "new_deadline": date(2025, 6, 20)},
]  # fmt: skip
# The weekday of each date in the digest, in each language (Friday 20 June, Monday 23 June, Sunday 1 June,
# Tuesday 10 June, Friday 2 May, Friday 27 June; the night is Friday 6 June).
WEEKDAYS = {
    "nl": ["vrijdag 20 juni 2025", "maandag 23 juni 2025", "zondag 1 juni 2025", "dinsdag 10 juni 2025",
           "vrijdag 2 mei 2025", "vrijdag 27 juni 2025", "vrijdag 6 juni 2025"],
    "fr": ["vendredi 20 juin 2025", "lundi 23 juin 2025", "dimanche 1er juin 2025", "mardi 10 juin 2025",
           "vendredi 2 mai 2025", "vendredi 27 juin 2025", "vendredi 6 juin 2025"],
    "de": ["Freitag, 20. Juni 2025", "Montag, 23. Juni 2025", "Sonntag, 1. Juni 2025", "Dienstag, 10. Juni 2025",
           "Freitag, 2. Mai 2025", "Freitag, 27. Juni 2025", "Freitag, 6. Juni 2025"],
    # One date writer for every mail (render.format_day): British English, no comma after the weekday.
    "en": ["Friday 20 June 2025", "Monday 23 June 2025", "Sunday 1 June 2025", "Tuesday 10 June 2025",
           "Friday 2 May 2025", "Friday 27 June 2025", "Friday 6 June 2025"],
}  # fmt: skip
FRENCH = {"nl": "Frans", "fr": "français", "de": "Französisch", "en": "French"}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_full_digest_says_every_date_with_its_weekday_in_every_language(lang: str) -> None:
    context = build_digest_context(
        ADVISOR, FULL_ITEMS, [], NIGHT, FUND, lang, emailed={(12, "labour_court")}, others=FULL_OTHERS,
        corrections=FULL_CORRECTIONS,
    )  # fmt: skip
    r = render("digest", lang, context)
    assert WEEKDAYS[lang][-1] in r.subject
    # one header line, unfolded: the night and how many to call, read whole on a phone
    longest = render("digest", lang, {**context, "on_text": format_day(date(2025, 9, 24), lang),
                                      "counts": {**context["counts"], "to_call": 12}})  # fmt: skip
    assert len(longest.subject) <= 72, longest.subject
    for part in (r.text, html.unescape(r.html)):
        for day in WEEKDAYS[lang]:
            assert day in part
        assert FRENCH[lang] in part and "0470 12 34 56" in part
        assert part.count("Jan Peeters") == 1, "one block per family"
        assert "{{" not in part and "None" not in part
    (family,) = context["families"]
    assert [len(family[k]) for k in ("decisions", "grace", "complaints", "corrections")] == [1, 1, 1, 1]


@pytest.mark.parametrize("kind", TEMPLATE_KINDS)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_kind_renders_in_every_language(kind: str, lang: str) -> None:
    r = reminder("arbitration", lang) if kind == "reminder" else digest(lang)
    assert r.subject and r.text.strip() and r.html.strip()
    assert f'<html lang="{lang}">' in r.html


@pytest.mark.parametrize(
    ("name", "written"), [("Infino", "d'Infino"), ("Kidslife", "de Kidslife"), ("Héraut", "d'Héraut")]
)
def test_french_elides_de_before_a_fund_name_starting_with_a_vowel_or_h(name: str, written: str) -> None:
    context = build_reminder_context(window(), beneficiary(), ADVISOR, {**FUND, "name": name}, "fr")
    for part in both_parts(render("reminder", "fr", context)):
        assert f"formulaire de contact {written}," in part
        assert f"de {name}" not in part or not written.startswith("d'")


def _closed_complaint(forum: str = "arbitration", **changes: Any) -> dict[str, Any]:
    """A window whose term restarted after a complaint closed on Thu 20 March 2025 (domain.md "Complaint
    interrupts"): for arbitration the new term runs from the third calendar day after, Sun 23 March."""
    closed = date(2025, 3, 20)
    arbitration = forum == "arbitration"
    facts: dict[str, Any] = {
        "old_deadline": date(2025, 6, 20),
        "why": "complaint",
        "restarted_on": closed,
        "trigger_reason": "complaint_closed",
        "trigger_on": date(2025, 3, 23) if arbitration else closed,
        "counts_from": "third_day" if arbitration else "notification",
    }
    return window(forum, **{**facts, **changes})


THIRD_DAY = {"nl": "derde kalenderdag", "fr": "troisième jour calendrier", "de": "dritten Kalendertag",
             "en": "third calendar day"}  # fmt: skip
FROM_THE_CLOSURE = {"nl": "vanaf die afsluiting", "fr": "à partir de cette clôture", "de": "seitdem",
                    "en": "from then"}  # fmt: skip


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_correction_after_a_complaint_says_the_new_term_runs_from_the_third_day_not_from_the_closure(
    lang: str,
) -> None:
    """domain.md: for arbitration the new term runs from the third day after the closure, not from it."""
    notice = render("correction", lang, build_correction_context(_closed_complaint(), beneficiary(), ADVISOR,
                                                                 FUND, lang))  # fmt: skip
    closed, third = format_day(date(2025, 3, 20), lang), format_day(date(2025, 3, 23), lang)
    for part in both_parts(notice):
        assert closed in part and third in part and THIRD_DAY[lang] in part
        assert FROM_THE_CLOSURE[lang] not in part
    if lang == "nl":  # the complaint was closed, not the service it went to
        assert "Die klacht werd op donderdag 20 maart 2025 afgesloten" in notice.text
        assert "Groeipakket geregistreerd, die op" not in notice.text
    if lang == "fr":
        assert "déposée auprès du Service des plaintes et de la médiation" in notice.text


LATE_SUBJECT = {
    "nl": "datum voorbij, beroep mogelijk nog tot en met {day}",
    "fr": "date dépassée, recours peut-être encore recevable jusqu'au {day} inclus",
    "de": "Frist verstrichen, Ihr Einspruch eventuell noch bis einschließlich {day} möglich",
    "en": "date passed; an appeal may still be accepted up to and including {day}",
}
FILE_NOW = {
    "nl": "Dien uw beroep dan nu meteen in (zie hieronder), uiterlijk op {day}, en laat het uw klantadviseur, "
    "Sofie Janssens, weten. Of het nog op tijd is, beslist de Geschillencommissie, niet wij.",
    "fr": "faites-le dès maintenant (voir ci-dessous), au plus tard le {day}, et prévenez votre gestionnaire de "
    "dossier, Sofie Janssens. C'est la Commission d'arbitrage qui décidera s'il est encore recevable.",
    "de": "tun Sie es jetzt sofort (siehe unten), spätestens am {day}, und informieren Sie Ihre Ansprechperson, "
    "Sofie Janssens. Ob es noch rechtzeitig ist, entscheidet die Schiedskommission, nicht wir.",
    "en": "send it now (see below), to arrive by {day} at the latest, and tell your advisor, Sofie Janssens. "
    "The Arbitration Commission decides whether it is still in time.",
}
TODAY_MARK = {"nl": " (vandaag)", "fr": " (aujourd’hui)", "de": " (heute)", "en": " (today)"}
NOTHING_MORE = {"nl": "niets meer te doen", "fr": "plus rien à faire", "de": "nichts weiter tun",
                "en": "do not need to do anything"}  # fmt: skip
TELL_THE_DAY = {"nl": "dan weten op welke dag", "fr": "Indiquez alors la date", "de": "an welchem Tag",
                "en": "on which day"}  # fmt: skip
JARGON = {"nl": "ruimere lezing", "fr": "lecture plus large", "de": "großzügigeren Auslegung",
          "en": "wider reading"}  # fmt: skip
# The reason sentence about a date already passed: by when the appeal had to be filed, not "must be".
HAD_TO = {
    "nl": ("uiterlijk op {safe} moest zijn ingediend", "uiterlijk op {safe} moet zijn ingediend"),
    "fr": ("devait être reçu au plus tard le {safe}", "doit être reçu au plus tard le {safe}"),
    "de": ("Ihr Einspruch musste spätestens am {safe}", "Ihr Einspruch muss spätestens am {safe}"),
    "en": ("had to arrive by {safe}", "must arrive by {safe}"),
}


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("left", [0, 2])
def test_a_correction_seen_too_late_says_to_file_now_by_the_latest_day_and_that_the_forum_decides(
    lang: str, left: int
) -> None:
    """The new safe date (Thu 12 June) passed the day before: until the latest day an appeal may still be
    admissible. The family must file now (the advisor may answer too late), and is not told that an appeal
    already filed needs nothing more: it may have been late."""
    latest = date(2025, 6, 13) + timedelta(days=left)
    w = _closed_complaint(days_left=-1, latest_deadline=latest)
    notice = render("correction", lang, build_correction_context(w, beneficiary(), ADVISOR, FUND, lang))
    day = format_day(latest, lang) + (TODAY_MARK[lang] if left == 0 else "")
    assert LATE_SUBJECT[lang].format(day=day) in notice.subject
    safe = format_day(date(2025, 6, 12), lang)
    had_to, must = (sentence.format(safe=safe) for sentence in HAD_TO[lang])
    for part in both_parts(notice):
        plain = re.sub(r"<[^>]+>", "", part)
        assert FILE_NOW[lang].format(day=day) in plain
        assert days_left_text(left, lang) in plain
        assert (TODAY_MARK[lang] in plain) == (left == 0)
        assert TELL_THE_DAY[lang] in plain and NOTHING_MORE[lang] not in plain
        assert JARGON[lang] not in plain
        assert had_to in plain and must not in plain


@pytest.mark.parametrize("forum", FORUMS)
def test_the_german_correction_is_grammatical_and_names_the_appeal_as_the_reminder_does(forum: str) -> None:
    w = _closed_complaint(forum)
    context = build_correction_context(w, beneficiary(), ADVISOR, FUND, "de")
    notice = render("correction", "de", context)
    for part in both_parts(notice):
        assert "E-Mail zu die" not in part and "E-Mail über die Entscheidung vom" in part
        assert "Rechtsmittel" not in part
        assert f"dass {context['appeal_noun']} spätestens am Freitag, 20. Juni 2025, eingegangen" in part
        assert "seitdem" not in part
    assert "Wenn Sie auf diese E-Mail antworten" in notice.text


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("days_left", [-1, 14])
def test_a_corrections_closing_greeting_stands_after_a_blank_line(lang: str, days_left: int) -> None:
    w = _closed_complaint(days_left=days_left, latest_deadline=date(2025, 6, 13))
    text_ = render("correction", lang, build_correction_context(w, beneficiary(), ADVISOR, FUND, lang)).text
    greeting = {"nl": "Met vriendelijke groeten,", "fr": "Bien cordialement,", "de": "Mit freundlichen Grüßen",
                "en": "Kind regards,"}[lang]  # fmt: skip
    assert f".\n\n{greeting}\n" in text_


def test_the_french_correction_quotes_the_earlier_date_as_received_like_the_reminder() -> None:
    notice = render("correction", "fr", build_correction_context(_closed_complaint(), beneficiary(), ADVISOR,
                                                                 FUND, "fr"))  # fmt: skip
    for part in both_parts(notice):
        assert "votre recours devait être reçu au plus tard le vendredi 20 juin 2025" in part
        assert "devait être introduit" not in part


# Review 0.13: a family with no reminder tonight reads as a failure unless the digest says when it was last
# reminded (the ledger's last delivered reminder), or that it never was.
LAST_REMINDED = {
    "nl": ("Gezin: laatst herinnerd op {day}.", "Gezin: nog nooit herinnerd."),
    "fr": ("Famille : dernier rappel le {day}.", "Famille : jamais rappelée jusqu'ici."),
    "de": ("Familie: zuletzt erinnert am {day}.", "Familie: noch nie erinnert."),
    "en": ("Family: last reminded on {day}.", "Family: never reminded so far."),
}


# A decision corrected tonight is said once, as its correction (review 0.14: no "family" line for it beside
# the correction); the other decision, with nothing for its family tonight, says it was never reminded.
CORRECTED_TONIGHT = {
    "nl": ("het gezin kreeg vannacht een verbetering", LAST_REMINDED["nl"][1]),
    "fr": ("la famille a reçu une correction cette nuit", LAST_REMINDED["fr"][1]),
    "de": ("die Familie erhielt heute Nacht eine Berichtigung", LAST_REMINDED["de"][1]),
    "en": ("the family was sent a correction tonight", LAST_REMINDED["en"][1]),
}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_digest_says_the_family_was_mailed_a_correction_tonight(lang: str) -> None:
    jan = ITEMS[0]
    correction = {**jan, "old_deadline": date(2025, 6, 27), "new_deadline": jan["safe_deadline"]}
    context = build_digest_context(ADVISOR, ITEMS, [], NIGHT, FUND, lang, corrections=[correction])
    corrected, not_tonight = CORRECTED_TONIGHT[lang]
    for part in both_parts(render("digest", lang, context)):
        assert part.count(corrected) == 1  # Jan Peeters's decision 12
        assert part.count(not_tonight) == 1  # Marie Dubois's decision 7: nothing went to her tonight


LATE_CORRECTIONS = [
    {**ITEMS[0], "old_deadline": date(2025, 6, 27), "new_deadline": date(2025, 6, 5), "late": "grace",
     "latest_deadline": date(2025, 6, 9)},
    {**ITEMS[1], "old_deadline": date(2025, 6, 20), "new_deadline": date(2025, 6, 2), "late": "expired",
     "latest_deadline": date(2025, 6, 3)},
]  # fmt: skip
# Each digest names the latest deadline as its footer and the report do (nl "uiterste datum", fr "date
# ultime", de "letzter Tag", en "latest deadline"), and says the appeal as its footer does.
LATE_LINES = {
    "nl": ("Verbeteringen vannacht gemaild: 2 beslissingen.",
           "misschien kan nog tot en met maandag 9 juni 2025 beroep worden ingesteld.",
           "Te laat: ook de uiterste datum (dinsdag 3 juni 2025) is voorbij."),
    "fr": ("Corrections envoyées cette nuit : 2 décisions.",
           "un recours est peut-être encore possible jusqu'au lundi 9 juin 2025 inclus.",
           "Trop tard : la date ultime (mardi 3 juin 2025) est elle aussi dépassée."),
    "de": ("Berichtigungen heute Nacht gemailt: 2 Entscheidungen.",
           "ein Rechtsbehelf ist eventuell noch bis einschließlich Montag, 9. Juni 2025 möglich.",
           "Zu spät: Auch der letzte Tag (Dienstag, 3. Juni 2025) ist verstrichen."),
    "en": ("Corrections e-mailed tonight: 2 decisions.",
           "an appeal may still be possible up to and including Monday 9 June 2025.",
           "Too late: the latest deadline (Tuesday 3 June 2025) has passed too."),
}  # fmt: skip
OLD_WORDS = {"nl": ("laatste dag", "een verbetering gemaild: 2"), "fr": ("dernier jour", "Correction envoyée"),
             "de": ("Rechtsmittel", "eine Berichtigung gemailt"), "en": ("A correction e-mailed",)}  # fmt: skip


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_digests_correction_lines_name_the_latest_deadline_as_its_footer_does_in_whole_sentences(
    lang: str,
) -> None:
    context = build_digest_context(ADVISOR, ITEMS, [], NIGHT, FUND, lang, corrections=LATE_CORRECTIONS)
    for part in both_parts(render("digest", lang, context)):
        plain = re.sub(r"<[^>]+>", "", part)
        for line in LATE_LINES[lang]:
            assert plain.count(line) == 1, line
        for old in OLD_WORDS[lang]:
            assert old not in plain


RECEIVED = {
    "nl": "een beroep dat uiterlijk die dag toekomt, is zeker op tijd",
    "fr": "un recours reçu au plus tard ce jour-là est dans les délais",
    "de": "ein Rechtsbehelf, der bis zu diesem Tag eingeht, ist sicher rechtzeitig",
    "en": "an appeal received by that day is in time",
}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_digest_says_the_safe_date_is_when_the_appeal_must_be_received_not_filed(lang: str) -> None:
    """domain.md: the deadline is the day the appeal must reach the body; "filed by then" read as "posted"."""
    context = build_digest_context(ADVISOR, ITEMS, [], NIGHT, FUND, lang)
    for part in both_parts(render("digest", lang, context)):
        assert part.count(RECEIVED[lang]) == 1
        assert "filed by then" not in part and "introduit à cette date" not in part
        assert "wie dan indient" not in part and "wer bis dahin einreicht" not in part


def _family_states_html(html_part: str) -> dict[str, str]:
    """Per decision number: the text of its `family-state` paragraph."""
    states = {}
    for block in html_part.split('<div class="decision"')[1:]:
        number = re.search(r"<strong>\D*(\d+)</strong>", block)
        state = re.search(r'<p class="family-state[^"]*"[^>]*>(.*?)</p>', block, re.S)
        assert number and state
        states[number.group(1)] = html.unescape(" ".join(state.group(1).split()))
    return states


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_family_not_reminded_tonight_says_when_it_was_last_reminded_or_never(lang: str) -> None:
    reminded_on = date(2025, 5, 30)  # Marie Dubois (7) was reminded on a Friday; Jan Peeters (12) never
    context = build_digest_context(
        ADVISOR, ITEMS, [], NIGHT, FUND, lang, reminded={(7, "arbitration"): reminded_on}
    )
    r = render("digest", lang, context)
    last, never = LAST_REMINDED[lang]
    last = last.format(day=format_day(reminded_on, lang))
    assert WEEKDAYS[lang][0].split()[0].rstrip(",") in last  # the day carries its weekday (a Friday)
    assert _family_states_html(r.html) == {"7": last, "12": never}
    text = " ".join(r.text.split())
    assert last in text and never in text
    assert text.index("Marie Dubois") < text.index(last) < text.index("Jan Peeters") < text.index(never)


# --- Compiled templates kept between runs ------------------------------------------------------


def _cached_environment(root: Path, folder: Path, **options: Any) -> jinja2.Environment:
    """A new run's environment over `root`, its compiled templates kept in `folder`."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(root), auto_reload=False, **options)
    env.bytecode_cache = template_cache(env, str(folder))
    return env


def test_a_template_edited_between_runs_is_read_as_edited_not_from_the_cache(tmp_path: Path) -> None:
    root, folder = tmp_path / "templates", tmp_path / "cache"
    root.mkdir()
    folder.mkdir()
    (root / "t.txt").write_text("Beroep vóór {{ day }}.", encoding="utf-8")
    first = _cached_environment(root, folder)
    assert first.get_template("t.txt").render(day="12 maart") == "Beroep vóór 12 maart."
    assert len(list(folder.iterdir())) == 1  # compiled once, kept for the next run

    (root / "t.txt").write_text("Beroep uiterlijk op {{ day }}.", encoding="utf-8")
    second = _cached_environment(root, folder)  # the next run: a new process
    assert second.get_template("t.txt").render(day="12 maart") == "Beroep uiterlijk op 12 maart."


def test_code_compiled_with_other_options_is_not_taken_from_the_cache(tmp_path: Path) -> None:
    root, folder = tmp_path / "templates", tmp_path / "cache"
    root.mkdir()
    folder.mkdir()
    (root / "t.txt").write_text("{% if a %}\nA{{ a }}\n{% endif %}\nB", encoding="utf-8")
    loose = _cached_environment(root, folder, trim_blocks=False)
    assert loose.get_template("t.txt").render(a=1) == "\nA1\n\nB"
    trimmed = _cached_environment(root, folder, trim_blocks=True)  # a deploy that changes the options
    assert trimmed.get_template("t.txt").render(a=1) == "A1\nB"


@pytest.mark.parametrize(
    "damage",
    [
        b"",  # nothing written
        jinja2.bccache.bc_magic,  # cut short after the header
        jinja2.bccache.bc_magic + b"not a pickled checksum",  # the rest overwritten
    ],
)
def test_a_damaged_cache_file_costs_the_compilation_not_the_mail(tmp_path: Path, damage: bytes) -> None:
    root, folder = tmp_path / "templates", tmp_path / "cache"
    root.mkdir()
    folder.mkdir()
    (root / "t.txt").write_text("Beste {{ name }}", encoding="utf-8")
    assert _cached_environment(root, folder).get_template("t.txt").render(name="An") == "Beste An"
    (cached,) = folder.iterdir()
    cached.write_bytes(damage)  # a write cut short by a power cut, or another program's
    again = _cached_environment(root, folder)
    assert again.get_template("t.txt").render(name="Familie Peeters") == "Beste Familie Peeters"


def test_a_cache_folder_that_cannot_be_written_or_read_costs_the_compilation_not_the_mail(
    tmp_path: Path,
) -> None:
    root = tmp_path / "templates"
    root.mkdir()
    (root / "t.txt").write_text("{{ name }}", encoding="utf-8")
    not_a_folder = tmp_path / "cache"
    not_a_folder.write_text("a file where the folder should be", encoding="utf-8")
    env = _cached_environment(root, not_a_folder)
    assert env.get_template("t.txt").render(name="Familie Peeters") == "Familie Peeters"


def test_the_mails_use_the_cache_of_compiled_templates() -> None:
    assert isinstance(_environment().bytecode_cache, jinja2.BytecodeCache)
