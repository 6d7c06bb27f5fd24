"""Issue 10's acceptance: mails a family can act on, read from one night whose answers are known.

The night runs the real job on a real database with the file notifier; each mail is parsed (text and HTML
parts, HTML as a reader sees it) and checked for what domain.md's "What a reminder must make possible" asks.
The expected dates are worked out by hand below, not read from the engine.
"""

from __future__ import annotations

import html
import re
from datetime import date, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from babel import Locale
from sqlalchemy import Engine
from sqlalchemy import text as sql
from test_delivery import smtp_config
from test_nightly import outbox, settings_for

from jobs.commands.run import run_nightly
from jobs.config import load_settings
from jobs.courts import court_for, district_key, find_district
from jobs.phrases import phrases
from jobs.render import LANGUAGES, build_reminder_context, render

import builders as b
from smtp_server import SmtpTestServer, free_port

NIGHT = date(2025, 4, 19)  # a Saturday


def known_night(engine: Engine) -> None:
    with engine.begin() as conn:
        b.advisor(conn, 1, "Sofie Janssens", "sofie.janssens@infino.example")
        b.beneficiary(conn, 1, "Els Maes", "els@mail.example", "nl", advisor_id=1, district="West-Vlaanderen")
        b.beneficiary(conn, 2, "Chloé Dubois", "chloe@mail.example", "fr", district="flandre-occidentale")
        b.beneficiary(
            conn, 3, "Lukas Schmitz", "lukas@mail.example", "de", advisor_id=1, district="WEST VLAANDEREN"
        )
        b.beneficiary(conn, 4, "Chinedu Okafor-Nwankwo Adebayo", "chinedu@mail.example", "en", advisor_id=1,
                      district="Atlantis")  # fmt: skip
        # 1, care allowance: labour court, notified Tue 2025-01-21: safe Mon 2025-04-21, Easter Monday (a legal
        # holiday). On Sat 04-19, 2 days left: the last stage. Post by Thu 2025-04-17? No: Fri 04-18 is Good
        # Friday, a working day in Belgium, so the last working day before is Fri 2025-04-18.
        b.decision(conn, 1, 1, "care_allowance", date(2025, 1, 21))
        # 2, a ruling of the arbitration commission: labour court, informed Sat 2025-01-25, third day Tue 01-28
        # (day one), safe Sun 2025-04-27 (domain.md's example). 8 days left: stage 14. Post by Fri 04-25.
        b.decision(conn, 2, 2, "arbitration_ruling", date(2025, 1, 25))
        # 3, care allowance, notified Mon 2025-02-10: safe Sat 2025-05-10; 21 days left: stage 30. Post by
        # Fri 2025-05-09.
        b.decision(conn, 3, 3, "care_allowance", date(2025, 2, 10))
        # 4, payment (arbitration, new law), informed Thu 2025-01-30: third day Sun 02-02 (day one), safe
        # Thu 2025-05-01, Labour Day (a legal holiday); 12 days left: stage 14. Post by Wed 2025-04-30, e-mail
        # still on the day.
        b.decision(conn, 4, 4, "payment", date(2025, 1, 30), decided_on=date(2025, 1, 28))


def run_known_night(engine: Engine, url: str, folder: Path, *changes: str) -> dict[int, EmailMessage]:
    """The known night's reminders by family, the fund's tables first changed by the SQL `changes`."""
    settings = settings_for(folder, url, '[fund]\nname = "Infino"\nemail = "info@infino.example"\n')
    known_night(engine)
    with engine.begin() as conn:
        for change in changes:
            conn.execute(sql(change))
    assert run_nightly(settings, NIGHT) == 0
    mails = [m for m in outbox(settings) if m["X-Appealwatch-Kind"] == "reminder"]
    return {_who(mail): mail for mail in mails}


@pytest.fixture
def night(db_engine: Engine, db_url: str, tmp_path: Path) -> dict[int, EmailMessage]:
    return run_known_night(db_engine, db_url, tmp_path)


_ADDRESSES = {
    "els@mail.example": 1,
    "chloe@mail.example": 2,
    "lukas@mail.example": 3,
    "chinedu@mail.example": 4,
}


def _who(mail: EmailMessage) -> int:
    return _ADDRESSES[mail["To"].addresses[0].addr_spec]


def part(mail: EmailMessage, subtype: str) -> str:
    body = mail.get_body(preferencelist=(subtype,))
    assert body is not None
    content = body.get_content().replace("\r\n", "\n")
    return html.unescape(re.sub(r"<[^>]+>", "", content)) if subtype == "html" else content


def parts(mail: EmailMessage) -> list[str]:
    return [part(mail, "plain"), part(mail, "html")]


LANG_OF = {1: "nl", 2: "fr", 3: "de", 4: "en"}


def dates_without_weekday(text: str, lang: str) -> list[str]:
    """Every written date ("12 juni 2025", "1er mai 2025", "12. Juni 2025") not preceded by its weekday."""
    locale = Locale.parse(phrases(lang).locale)
    months = "|".join(sorted((*locale.months["format"]["wide"].values(),
                              *locale.months["format"]["abbreviated"].values()), key=len, reverse=True))  # fmt: skip
    weekdays = "|".join(
        re.escape(w)
        for w in (*locale.days["format"]["wide"].values(), *locale.days["format"]["abbreviated"].values())
    )
    bare = []
    for match in re.finditer(rf"(\d{{1,2}}(?:er)?\.? (?:{months}) \d{{4}})", text):
        before = text[: match.start()]
        if not re.search(rf"(?:{weekdays}),? $", before, flags=re.IGNORECASE):
            bare.append(match.group(1))
    return bare


@pytest.mark.slow
def test_every_date_in_every_mail_of_the_night_has_its_weekday(night: dict[int, EmailMessage]) -> None:
    assert set(night) == {1, 2, 3, 4}  # every stage due tonight was sent
    for who, mail in night.items():
        lang = LANG_OF[who]
        for text in [*parts(mail), str(mail["Subject"])]:
            assert re.search(r"\d{4}", text)
            assert dates_without_weekday(text, lang) == [], (who, lang)


@pytest.mark.slow
def test_a_sunday_or_holiday_deadline_names_the_last_working_day_before_it_to_post_by(
    night: dict[int, EmailMessage],
) -> None:
    expected = {
        # Easter Monday, and tonight is Saturday: the last working day has passed, the mail says so.
        # Its latest deadline is Tuesday 22 April (art. 53): an appeal received then may still be admissible.
        1: "De laatste werkdag ervoor, vrijdag 18 april 2025, is al voorbij. De termijn kan ook ruimer geteld "
        "worden: dan kan uw beroep nog ontvankelijk zijn als het uiterlijk op dinsdag 22 april 2025 op de griffie "
        "van de arbeidsrechtbank binnenkomt. Of het nog op tijd is, beslist de arbeidsrechtbank. Wacht dus niet: "
        "dien uw beroep meteen in en neem contact op met uw klantadviseur.",
        2: "Envoyez ou déposez donc votre recours au plus tard le vendredi 25 avril 2025.",  # a Sunday
        3: "Schicken Sie Ihr Schreiben daher spätestens am Freitag, 9. Mai 2025 ab",  # a Saturday
        4: "So post or hand in your appeal by Wednesday 30 April 2025 at the latest.",  # Labour Day
    }
    for who, sentence in expected.items():
        for text in parts(night[who]):
            assert sentence in " ".join(text.split()), who
    for text in parts(night[1]):
        assert "Maandag 21 april 2025 (Paasmaandag) is geen werkdag" in " ".join(text.split())
    for text in parts(night[4]):  # the arbitration commission takes e-mail: the day itself still works
        assert "By e-mail it is still possible up to and including Thursday 1 May 2025." in " ".join(
            text.split()
        )
    for text in parts(night[2]):  # a court takes no e-mail
        assert "Par e-mail" not in text


SATURDAY = date(2025, 4, 26)


@pytest.mark.slow
def test_a_sunday_deadline_read_on_the_saturday_names_the_latest_day_not_too_late(
    db_engine: Engine, db_url: str, tmp_path: Path
) -> None:
    # Rulings of the arbitration commission, informed Sat 2025-01-25 (domain.md's example): labour court,
    # safe Sun 2025-04-27, latest Mon 2025-04-28 (art. 53). Written on Sat 04-26: the last working day
    # before the safe day (Fri 04-25) has passed, but a request received on the Monday may still be in time.
    settings = settings_for(tmp_path, db_url, '[fund]\nname = "Infino"\nemail = "info@infino.example"\n')
    with db_engine.begin() as conn:
        b.advisor(conn, 1, "Sofie Janssens", "sofie.janssens@infino.example")
        for who, (name, address, lang) in enumerate(
            [("Els Maes", "els@mail.example", "nl"), ("Chloé Dubois", "chloe@mail.example", "fr"),
             ("Lukas Schmitz", "lukas@mail.example", "de"), ("Chinedu Okafor", "chinedu@mail.example", "en")],
            start=1,
        ):  # fmt: skip
            b.beneficiary(conn, who, name, address, lang, advisor_id=1, district="Antwerpen")
            b.decision(conn, who, who, "arbitration_ruling", date(2025, 1, 25))
    assert run_nightly(settings, SATURDAY) == 0
    mails = {_who(m): m for m in outbox(settings) if m["X-Appealwatch-Kind"] == "reminder"}
    expected = {
        1: "De laatste werkdag ervoor, vrijdag 25 april 2025, is al voorbij. De termijn kan ook ruimer geteld "
        "worden: dan kan uw beroep nog ontvankelijk zijn als het uiterlijk op maandag 28 april 2025 op de griffie "
        "van de arbeidsrechtbank binnenkomt. Of het nog op tijd is, beslist de arbeidsrechtbank. Wacht dus niet: "
        "dien uw beroep meteen in en neem contact op met uw klantadviseur.",
        2: "Le dernier jour ouvrable avant, le vendredi 25 avril 2025, est déjà passé. Le délai peut aussi se "
        "calculer de façon plus favorable : votre recours peut alors encore être recevable s'il parvient au greffe "
        "du tribunal du travail au plus tard le lundi 28 avril 2025. C'est le tribunal du travail qui décidera "
        "s'il est encore dans les délais. N'attendez pas : introduisez votre recours immédiatement et contactez "
        "votre gestionnaire de dossier.",
        3: "Der letzte Werktag davor, Freitag, 25. April 2025, ist schon vorbei. Die Frist kann auch günstiger "
        "berechnet werden: Danach kann es noch genügen, dass Ihre Klage spätestens am Montag, 28. April 2025, bei "
        "der Kanzlei des Arbeitsgerichts eingeht. Ob es noch rechtzeitig ist, entscheidet das Arbeitsgericht.",
        4: "The last working day before it, Friday 25 April 2025, has passed. The time limit can also be counted "
        "more generously: your appeal may then still be admissible if it reaches the labour court's registry by "
        "Monday 28 April 2025 at the latest. The labour court decides whether it is still in time. Do not wait: "
        "file your appeal at once and contact your advisor.",
    }
    too_late = (
        "lukt het niet meer op tijd",
        "il est trop tard",
        "nicht mehr rechtzeitig möglich",
        "too late",
    )
    assert set(mails) == {1, 2, 3, 4}
    for who, sentence in expected.items():
        for text in parts(mails[who]):
            one_line = " ".join(text.split())
            assert sentence in one_line, (who, one_line)
            assert not any(words in one_line for words in too_late), who


@pytest.mark.slow
def test_a_reminder_held_by_an_outage_since_friday_names_the_latest_day_when_it_goes_out_on_saturday(
    db_engine: Engine, db_url: str, tmp_path: Path
) -> None:
    # The same ruling (safe Sun 2025-04-27, latest Mon 04-28). Planned on Friday 04-25, when posting that day
    # was still the advice, held by a relay that is down; re-rendered on the Saturday it goes out with
    # tonight's advice (jobs.outbox.settle.refresh_held_reminders).
    with db_engine.begin() as conn:
        b.beneficiary(conn, 1, "Chloé Dubois", "chloe@mail.example", "fr", district="Anvers")
        b.decision(conn, 1, 1, "arbitration_ruling", date(2025, 1, 25))
    down = load_settings(smtp_config(tmp_path, db_url, free_port(), "max_attempts = 1\n"), {})
    assert run_nightly(down, SATURDAY - timedelta(days=1)) == 1
    with SmtpTestServer() as server:
        assert run_nightly(load_settings(smtp_config(tmp_path, db_url, server.port), {}), SATURDAY) == 0
        [sent] = [r.message for r in server.messages if r.rcpt_tos == ("chloe@mail.example",)]
    for text in parts(sent):
        one_line = " ".join(text.split())
        assert (
            "s'il parvient au greffe du tribunal du travail au plus tard le lundi 28 avril 2025." in one_line
        )
        assert "Envoyez ou déposez donc votre recours au plus tard le vendredi 25 avril 2025" not in one_line


@pytest.mark.slow
def test_a_west_flanders_labour_court_mail_names_the_court_of_ghent_in_each_language(
    night: dict[int, EmailMessage],
) -> None:
    for who, court in [
        (1, "arbeidsrechtbank Gent"),
        (2, "tribunal du travail de Gand"),
        (3, "Arbeitsgericht Gent"),
    ]:
        for text in parts(night[who]):
            assert court in text
            assert "West-Vlaanderen)" not in text and "gerechtelijk arrondissement waar u woont" not in text
    for text in parts(night[1]):
        assert "afdelingen: Brugge, Ieper, Kortrijk, Roeselare, Veurne" in text


@pytest.mark.slow
def test_an_unknown_district_falls_back_to_the_generic_sentence_and_the_advisor(
    night: dict[int, EmailMessage],
) -> None:
    # Decision 4 goes to the arbitration commission: no court. Rendered for the labour court instead:
    r = render("reminder", "en", build_reminder_context(
        {**WINDOW, "forum": "labour_court", "kind": "care_allowance"},
        {"id": 4, "full_name": "X", "judicial_district": "Atlantis"}, ADVISOR, FUND, "en"))  # fmt: skip
    for text in (r.text, html.unescape(r.html)):
        assert (
            "the labour court of the judicial district where you live, or hand it in at the registry yourself. "
            "According to our records, you live in the judicial district of Atlantis."
            in (" ".join(re.sub(r"<[^>]+>", "", text).split()))
        )
        assert "Your advisor can tell you which court that is." in text


@pytest.mark.slow
def test_a_rulings_mail_offers_no_complaint_route(night: dict[int, EmailMessage]) -> None:
    for text in parts(night[2]):
        assert "info@groeipakket.be" not in text and "info@vlaamseombudsdienst.be" not in text
        assert "seul le tribunal du travail le peut" in text
    for text in parts(night[3]):  # a care-allowance decision still has them
        assert "info@groeipakket.be" in text


@pytest.mark.slow
def test_reply_to_is_the_advisor_or_else_the_fund(night: dict[int, EmailMessage]) -> None:
    assert night[1]["Reply-To"].addresses[0].addr_spec == "sofie.janssens@infino.example"
    assert night[1]["Reply-To"].addresses[0].display_name == "Sofie Janssens"
    assert night[2]["Reply-To"].addresses[0].addr_spec == "info@infino.example"  # no advisor: the fund's
    assert "no-reply" not in str(night[1]["Reply-To"]) + str(night[2]["Reply-To"])


@pytest.mark.slow
def test_subjects_lead_with_what_and_when_and_the_last_stage_is_marked_urgent(
    night: dict[int, EmailMessage],
) -> None:
    assert night[1]["Subject"] == "Dringend: beroep uiterlijk ma 21 april 2025 – Els Maes"
    assert night[2]["Subject"] == "Recours jusqu'au dim. 27 avril 2025, Chloé Dubois"
    assert all(len(str(m["Subject"])) <= 80 for m in night.values())
    for text in parts(night[1]):
        assert text.index("DRINGEND") < text.index("Beste") + 40
    assert "URGENT" not in part(night[2], "plain")


@pytest.mark.slow
def test_without_a_reference_the_mail_quotes_the_decision_id(night: dict[int, EmailMessage]) -> None:
    for text in parts(night[1]):
        assert "Referentie van de beslissing: 1." in text


@pytest.mark.slow
def test_the_reference_on_the_decision_letter_is_quoted_in_the_mail(
    db_engine: Engine, db_url: str, tmp_path: Path
) -> None:
    """The reference as the fund's decisions hold it (stripped of the blanks around it); a blank one is none."""
    night = run_known_night(
        db_engine,
        db_url,
        tmp_path,
        "UPDATE decisions SET reference = '  GP/2025/00042 ' WHERE id = 1",
        "UPDATE decisions SET reference = '   ' WHERE id = 3",
    )
    for text in parts(night[1]):
        assert "Referentie van de beslissing: GP/2025/00042." in text
    for text in parts(night[3]):
        assert "Aktenzeichen der Entscheidung: 3." in text


@pytest.mark.slow
def test_a_fund_whose_decisions_have_no_reference_column_is_written_to_with_the_decision_id(
    db_engine: Engine, db_url: str, tmp_path: Path
) -> None:
    """A fund's table as it was before the optional columns (2026-11): the night runs, the id is quoted."""
    night = run_known_night(db_engine, db_url, tmp_path, "ALTER TABLE decisions DROP COLUMN reference")
    assert set(night) == {1, 2, 3, 4}
    for text in parts(night[1]):
        assert "Referentie van de beslissing: 1." in text


@pytest.mark.slow
def test_from_seven_days_the_filing_comes_first_and_the_gentler_routes_take_one_line_each(
    night: dict[int, EmailMessage],
) -> None:
    text = part(night[1], "plain")  # 2 days left
    assert text.index("ZO STELT U BEROEP IN") < text.index("ANDERE WEGEN")
    section = text[text.index("ANDERE WEGEN") :].splitlines()
    routes = [line for line in section if re.match(r"[123]\. ", line)]
    assert [line[:1] for line in routes] == ["1", "2", "3"]  # one line each, with its contact on it
    assert "info@groeipakket.be" in routes[1] and "info@vlaamseombudsdienst.be" in routes[2]
    assert "Leuvenseweg" not in text  # the long form's postal addresses are left out
    assert "Niets onderbreekt of verlengt deze termijn" in text  # a labour-court term: nothing stops it


# --- Rendered directly: the reference, the subject's length, which steps stop the clock -------------

FUND = {"name": "Infino", "phone": "", "email": "info@infino.example", "website": ""}
ADVISOR = {"id": 7, "full_name": "Sofie Janssens", "email": "sofie.janssens@infino.example"}
WINDOW: dict[str, Any] = {
    "decision_id": 571, "kind": "payment", "forum": "arbitration", "decided_on": date(2026, 6, 1),
    "safe_deadline": date(2026, 9, 30), "days_left": 2, "stage": 2, "trigger_reason": "third_day_after_informed",
    "informed_on": date(2026, 6, 27), "trigger_on": date(2026, 6, 30), "restarted_on": None, "term_months": 3,
    "counts_from": "third_day",
}  # fmt: skip


def mail(lang: str, **changes: Any) -> list[str]:
    who = {"id": 1, "full_name": changes.pop("name", "An Peeters"), "judicial_district": "Antwerpen"}
    r = render("reminder", lang, build_reminder_context({**WINDOW, **changes}, who, ADVISOR, FUND, lang))
    return [r.subject, r.text, html.unescape(r.html)]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_reference_on_the_letter_is_quoted_when_present_and_the_id_when_not(lang: str) -> None:
    _subject, *body = mail(lang, reference="GP/2026/00123")
    assert all("GP/2026/00123" in text and " 571" not in text for text in body)
    for missing in ({}, {"reference": None}, {"reference": "  "}):
        assert all("571" in text for text in mail(lang, **missing)[1:])


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_subject_is_at_most_80_characters_for_a_30_character_name(lang: str) -> None:
    name = "Maximiliaan Vandenberghe-Smits"
    assert len(name) == 30
    # The longest weekday and month words: Wednesday 30 September (and Thursday 28 December), last stage.
    for day in (date(2026, 9, 30), date(2023, 12, 28), date(2026, 9, 1)):
        subject = mail(lang, name=name, safe_deadline=day)[0]
        assert len(subject) <= 80, subject
        assert name in subject


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_arbitration_mail_says_the_fund_and_ombudsman_do_not_stop_the_clock(lang: str) -> None:
    stops = {"nl": "Alleen een klacht bij de Klachten- en Bemiddelingsdienst onderbreekt de termijn",
             "fr": "seule une plainte auprès du Service des plaintes et de la médiation arrête le délai",
             "de": "Nur eine Beschwerde beim Beschwerde- und Vermittlungsdienst hält die Frist an",
             "en": "Only a complaint to the Complaints and Mediation Service stops the clock"}  # fmt: skip
    for days_left in (2, 14):
        for text in mail(lang, days_left=days_left, stage=days_left)[1:]:
            assert stops[lang].lower() in " ".join(text.split()).lower()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_labour_court_how_to_says_what_the_request_holds_no_lawyer_and_legal_aid(lang: str) -> None:
    words = {"nl": ("tegenpartij", "geen advocaat", "juridische tweedelijnsbijstand"),
             "fr": ("partie adverse", "pas besoin d'avocat", "aide juridique de deuxième ligne"),
             "de": ("Gegenpartei", "keinen Rechtsanwalt", "juristischen Beistand"),
             "en": ("the other party", "do not need a lawyer", "second-line legal aid")}[lang]  # fmt: skip
    for text in mail(lang, forum="labour_court", kind="care_allowance", days_left=20)[1:]:
        assert all(w in text for w in words)
        assert "Infino" in text


@pytest.mark.parametrize(
    ("spelled", "lang", "courts"),
    [
        ("West-Vlaanderen", "nl", ["arbeidsrechtbank Gent"]),
        ("flandre occidentale", "fr", ["tribunal du travail de Gand"]),
        ("Flandre-Occidentale", "de", ["Arbeitsgericht Gent"]),
        ("LIMBURG", "nl", ["arbeidsrechtbank Antwerpen"]),
        ("Liège", "fr", ["tribunal du travail de Liège"]),
        ("Brussel", "nl", ["Nederlandstalige arbeidsrechtbank Brussel"]),
        ("Bruxelles", "fr", ["tribunal du travail francophone de Bruxelles"]),
    ],
)
def test_the_district_is_read_in_dutch_or_french_any_case_with_or_without_hyphens(
    spelled: str, lang: str, courts: list[str]
) -> None:
    found = court_for("labour", spelled, lang)
    assert found is not None and found[0] == courts


def test_in_brussels_a_german_or_english_mail_names_both_courts() -> None:
    for lang in ("de", "en"):
        found = court_for("labour", "Brussel", lang)
        assert found is not None and len(found[0]) == 2
    for text in mail("en", forum="labour_court", kind="care_allowance", days_left=20)[1:]:
        assert "Antwerp Labour Court (arbeidsrechtbank Antwerpen)" in text


def test_the_family_court_is_named_as_the_section_of_the_districts_court_of_first_instance() -> None:
    assert court_for("family", "Anvers", "nl") == (
        ["familierechtbank van de rechtbank van eerste aanleg Antwerpen"],
        (),
    )
    assert court_for("family", "Antwerpen", "fr") == (
        ["tribunal de la famille du tribunal de première instance d'Anvers"],
        (),
    )
    found = court_for("family", "Bruxelles", "en")
    assert found is not None and len(found[0]) == 2


def test_an_unknown_or_empty_district_has_no_court() -> None:
    assert find_district("Atlantis") is None and find_district("") is None and find_district(None) is None
    assert court_for("family", "Atlantis", "nl") is None
    assert district_key("Flandre-Occidentale") == district_key("flandre occidentale")


def test_a_german_date_inside_the_decisions_phrase_is_closed_by_a_comma() -> None:
    # decided Monday 1 June 2026: "vom Montag, 1. Juni 2026, über ..." (the weekday's apposition is closed)
    for kind, after in [
        ("payment", "über die Auszahlung"),
        ("care_allowance", "über Ihre Pflegezulage"),
        ("beneficiary_designation", "darüber, wer"),
        ("arbitration_ruling", "zu Ihrem Einspruch"),
    ]:
        for text in mail("de", kind=kind)[1:]:
            assert f"vom Montag, 1. Juni 2026, {after}" in " ".join(text.split()), kind
