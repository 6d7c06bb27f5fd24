"""Corrections (issue 10): when a deadline a family was given changes, one correction notice in their language
names the old and the new date (with weekdays) and says which holds and why; once per change, over real SMTP,
on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import re
from datetime import date
from email.message import EmailMessage
from html import unescape
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, select, text
from test_delivery import smtp_config

from jobs.commands import cli
from jobs.commands.run import run_nightly
from jobs.config import load_settings
from jobs.phrases import phrases
from jobs.render import days_left_text, format_day
from jobs.store import as_date, corrections, messages, reminders

import builders as b
from conftest import Database
from smtp_server import SmtpTestServer, free_port

# A payment decision notified 2026-01-15 without the appeal information (art. 89): the arbitration term starts
# 2026-05-15, so the safe deadline X is Friday 2026-08-14 and the 30-day reminder is due on 2026-07-15.
NOTIFIED = date(2026, 1, 15)
X = date(2026, 8, 14)
FIRST_NIGHT = date(2026, 7, 15)
# Recorded late: a complaint filed 2026-04-01 and closed 2026-05-01 restarted a whole new term from the third
# day after its closing (the four-month start does not carry over): Y = Monday 2026-08-03, earlier than X.
Y = date(2026, 8, 3)
SECOND_NIGHT = date(2026, 7, 20)


def _a_family(engine: Engine, language: str = "nl") -> None:
    with engine.begin() as conn:
        b.advisor(conn, 1, "An Peeters", "an.peeters@infino.example")
        b.beneficiary(conn, 1, "Jan Janssens", "jan@mail.example", language, advisor_id=1)
        b.decision(conn, 571, 1, "payment", NOTIFIED, appeal_info_complete=False)


def _record_the_complaint(engine: Engine) -> None:
    with engine.begin() as conn:
        b.complaint(conn, 571, date(2026, 4, 1), date(2026, 5, 1))


def _parts(message: EmailMessage) -> tuple[str, str]:
    text_part = message.get_body(("plain",))
    html_part = message.get_body(("html",))
    assert text_part is not None and html_part is not None
    return text_part.get_content(), html_part.get_content()


def test_an_earlier_deadline_after_a_late_complaint_is_told_once_naming_both_dates(
    database: Database, tmp_path: Path
) -> None:
    _a_family(database.engine)
    with SmtpTestServer() as server:
        settings = load_settings(smtp_config(tmp_path, database.url, server.port), {})
        assert run_nightly(settings, FIRST_NIGHT) == 0
        [first] = server.wait_for_messages(1)
        assert "14 augustus 2026" in _parts(first.message)[0]

        _record_the_complaint(database.engine)
        assert run_nightly(settings, SECOND_NIGHT) == 0
        assert run_nightly(settings, SECOND_NIGHT) == 0  # a rerun of the night sends nothing more
        received = server.wait_for_messages(3)
        assert run_nightly(settings, date(2026, 7, 21)) == 0  # nor does the next night
        assert len(server.messages) == 3

    family = [r for r in received[1:] if r.rcpt_tos == ("jan@mail.example",)]
    [notice] = [r.message for r in family]
    assert notice["Message-ID"] == f"<aw.c.571.arbitration.{X:%Y%m%d}.{Y:%Y%m%d}.b1@infino.example>"
    assert "maandag 3 augustus 2026" in notice["Subject"]
    for part in _parts(notice):
        assert "vrijdag 14 augustus 2026" in part  # the old date, with its weekday
        assert "maandag 3 augustus 2026" in part  # the new one
        assert "vroeger dan de datum die we u eerder gaven" in part  # which holds: the earlier, new one
        assert "klacht" in part and "vrijdag 1 mei 2026" in part  # why: the complaint closed on 1 May

    # The supervisors' report lists it.
    report = (tmp_path / "reports" / SECOND_NIGHT.isoformat() / "corrections.csv").read_text(encoding="utf-8")
    assert report.splitlines()[1:] == [f"571,arbitration,1,{X},{Y},complaint,sent"]
    assert (
        "Verbeterde datums (1)"
        in (tmp_path / "reports" / SECOND_NIGHT.isoformat() / "report.html").read_text()
    )

    # The advisor's digest lists the correction; the family gets no separate 14-day reminder that night.
    [digest] = [r.message for r in received[1:] if r.rcpt_tos == ("an.peeters@infino.example",)]
    digest_text = _parts(digest)[0]
    assert "vrijdag 14 augustus 2026" in digest_text and "maandag 3 augustus 2026" in digest_text
    # Review 0.14: the corrected decision is ONE item (its new date, and that the family got the correction),
    # not a deadline line "vannacht een verbetering gemaild" and a second "Datum gewijzigd" item.
    for part in _parts(digest):
        said = " ".join(unescape(re.sub(r"<[^>]+>", " ", part)).split())
        assert said.count("Beslissing 571") == 1, said
        assert "vannacht een verbetering gemaild" not in said
        assert (
            "Datum gewijzigd: niet meer vrijdag 14 augustus 2026, maar maandag 3 augustus 2026; het gezin kreeg "
            "vannacht een verbetering." in said
        )
    with database.engine.connect() as conn:
        [row] = conn.execute(select(corrections)).mappings().all()
        assert (row["old_deadline"], row["new_deadline"], row["status"], row["why"]) == (
            X, Y, "queued", "complaint"
        )  # fmt: skip
        kinds = [m.kind for m in conn.execute(select(messages.c.kind).order_by(messages.c.id))]
        assert kinds == ["reminder", "correction", "digest"]
        skipped = conn.execute(
            select(reminders.c.stage, reminders.c.status, reminders.c.detail)
            .where(reminders.c.safe_deadline == Y, reminders.c.recipient_kind == "beneficiary")
            .order_by(reminders.c.stage)
        ).all()
        assert [tuple(r) for r in skipped] == [
            (14, "skipped", "the correction notice gave the new deadline tonight"),
            (30, "skipped", "a more urgent stage was due at the same time"),
        ]


def test_a_later_deadline_is_told_once_too_in_the_family_language(database: Database, tmp_path: Path) -> None:
    """Notified 2026-01-15 with the appeal information: X' = 2026-04-17 (Friday), the 30-day stage on
    2026-03-18. Then the notification date is corrected to 2026-02-02: Y' = Monday 2026-05-04, later."""
    with database.engine.begin() as conn:
        b.beneficiary(conn, 2, "Marie Dubois", "marie@mail.example", "fr")
        b.decision(conn, 7, 2, "payment", NOTIFIED)
    with SmtpTestServer() as server:
        settings = load_settings(smtp_config(tmp_path, database.url, server.port), {})
        assert run_nightly(settings, date(2026, 3, 18)) == 0
        with database.engine.begin() as conn:
            conn.execute(text("UPDATE decisions SET notified_on = :d WHERE id = 7"), {"d": date(2026, 2, 2)})
        assert run_nightly(settings, date(2026, 3, 19)) == 0
        assert run_nightly(settings, date(2026, 3, 20)) == 0
        received = server.wait_for_messages(2)
        assert len(server.messages) == 2
    notice = received[1].message
    assert notice["Message-ID"].startswith("<aw.c.7.arbitration.20260417.20260504.b2@")
    for part in _parts(notice):
        assert "vendredi 17 avril 2026" in part and "lundi 4 mai 2026" in part
        assert "plus tard que la date" in part
        assert "lundi 2 février 2026" in part  # why: the day informed, corrected


def test_a_deadline_that_disappears_sends_no_notice(database: Database, tmp_path: Path) -> None:
    _a_family(database.engine)
    with SmtpTestServer() as server:
        settings = load_settings(smtp_config(tmp_path, database.url, server.port), {})
        assert run_nightly(settings, FIRST_NIGHT) == 0
        with database.engine.begin() as conn:
            b.appeal(conn, 571, "arbitration", date(2026, 7, 16))
        assert run_nightly(settings, SECOND_NIGHT) == 0
        assert len(server.wait_for_messages(1)) == 1
    with database.engine.connect() as conn:
        assert conn.execute(select(corrections)).all() == []


def test_history_shows_the_quoted_deadline_its_correction_and_every_delivery_in_text_and_json(
    database: Database, tmp_path: Path
) -> None:
    _a_family(database.engine)
    with SmtpTestServer() as server:
        config = smtp_config(tmp_path, database.url, server.port)
        settings = load_settings(config, {})
        assert run_nightly(settings, FIRST_NIGHT) == 0
        _record_the_complaint(database.engine)
        assert run_nightly(settings, SECOND_NIGHT) == 0
        server.wait_for_messages(3)

    runner = CliRunner()
    shown = runner.invoke(cli, ["--config", str(config), "history", "571", "--on", "2026-07-21"])
    assert shown.exit_code == 0, shown.output
    lines = shown.output.splitlines()
    quoted = next(i for i, line in enumerate(lines) if f"deadline {X}  stage 30d to beneficiary 1" in line)
    assert lines[quoted].endswith(": corrected (corrected to 2026-08-03)")
    told = next(
        i for i, line in enumerate(lines) if f"correction to beneficiary 1: deadline {X} -> {Y}" in line
    )
    assert quoted < told  # oldest first
    assert "(complaint): sent" in lines[told]
    delivered = [line for line in lines if "attempt" in line and ": delivered: 250" in line]
    assert len(delivered) == 3  # the reminder, the correction, the advisor's digest: each with the answer
    assert f"window open  safe deadline {Y}" in lines[-1]

    as_json = runner.invoke(
        cli, ["--config", str(config), "history", "571", "--format", "json", "--on", "2026-07-21"]
    )
    assert as_json.exit_code == 0, as_json.output
    data = json.loads(as_json.output)
    events = data["events"]
    assert [e["at"] for e in events] == sorted(e["at"] for e in events)
    [first] = [e for e in events if e["event"] == "stage" and e["stage"] == 30 and e["safe_deadline"] == str(X)
               and e["recipient"] == "beneficiary 1"]  # fmt: skip
    assert first["outcome"] == "corrected"
    [fix] = [e for e in events if e["event"] == "correction"]
    assert (fix["old_deadline"], fix["safe_deadline"], fix["outcome"]) == (str(X), str(Y), "sent")
    assert {e["message_id"] for e in events if e["event"] == "attempt" and e["code"] == 250} >= {
        first["message_id"],
        fix["message_id"],
    }
    assert data["windows"] == [
        {"event": "window", "on": "2026-07-21", "forum": "arbitration", "status": "open",
         "safe_deadline": str(Y), "latest_deadline": "2026-08-04"}
    ]  # fmt: skip
    missing = runner.invoke(cli, ["--config", str(config), "history", "99999"])
    assert missing.exit_code == 2


# -- issue 10, what was left: Reply-To and act-by, the shared how-to-file, outages, a date already past -------

# A complaint closed 2026-04-30 restarts the term from 2026-05-03: the new safe deadline is Sunday 2026-08-02, so
# a registered letter must leave by Friday 2026-07-31 (arbitration also takes e-mail, on the Sunday itself).
SUNDAY_Y, ACT_BY = date(2026, 8, 2), date(2026, 7, 31)
HEADINGS = {  # the reminder's how-to-file heading and the next one, per language
    "nl": ("ZO STELT U BEROEP IN", "HULP NODIG?"),
    "fr": ("COMMENT INTRODUIRE UN RECOURS", "BESOIN D'AIDE ?"),
    "de": ("SO GEHEN SIE VOR", "BRAUCHEN SIE HILFE?"),
    "en": ("HOW TO APPEAL", "NEED HELP?"),
}
ADVISOR = "An Peeters <an.peeters@infino.example>"


def _between(text_: str, start: str, end: str) -> str:
    return text_[text_.index(start) : text_.index(end)]


def _family_mail(received: list, address: str = "jan@mail.example") -> list[EmailMessage]:
    return [r.message for r in received if r.rcpt_tos == (address,)]


@pytest.mark.parametrize("lang", ["nl", "fr", "de", "en"])
def test_a_correction_replies_to_the_advisor_names_the_day_to_post_by_and_files_as_the_reminder_does(
    database: Database, tmp_path: Path, lang: str
) -> None:
    _a_family(database.engine, lang)
    with SmtpTestServer() as server:
        settings = load_settings(smtp_config(tmp_path, database.url, server.port), {})
        assert run_nightly(settings, FIRST_NIGHT) == 0
        with database.engine.begin() as conn:
            b.complaint(conn, 571, date(2026, 4, 1), date(2026, 4, 30))
        assert run_nightly(settings, SECOND_NIGHT) == 0
        received = server.wait_for_messages(3)
    reminder, notice = _family_mail(received)
    assert notice["Message-ID"].startswith(f"<aw.c.571.arbitration.{X:%Y%m%d}.{SUNDAY_Y:%Y%m%d}.b1@")
    assert notice["Reply-To"] == reminder["Reply-To"] == ADVISOR
    with database.engine.connect() as conn:
        stored = conn.execute(select(messages.c.reply_to).where(messages.c.kind == "correction")).scalar_one()
    assert stored == ADVISOR
    for part in _parts(notice):
        assert format_day(SUNDAY_Y, lang) in part
        assert format_day(ACT_BY, lang) in part  # post or hand in by Friday
    # The how-to-file block is the reminder's, word for word (one shared include).
    start, end = HEADINGS[lang]
    block = _between(_parts(reminder)[0], start, end)
    assert forum_text(lang) in block
    assert block in _parts(notice)[0]


def forum_text(lang: str) -> str:
    """The first words of the arbitration forum's how-to-file sentence, from the phrases."""
    from jobs.render import body_view

    return str(body_view("arbitration", lang)["how_to_file"])[:40]


def _down(tmp_path: Path, url: str) -> Path:
    """A configuration whose relay is down: nothing listens on the port."""
    return smtp_config(tmp_path, url, free_port())


def test_a_held_correction_is_superseded_when_the_deadline_changes_again_and_the_family_gets_x_to_z(
    database: Database, tmp_path: Path
) -> None:
    """X quoted; night 2 computes Y (the notice is held by an outage); night 3 computes Z: one notice X -> Z."""
    _a_family(database.engine)
    z = date(
        2026, 8, 13
    )  # the complaint's closing corrected to 2026-05-11: from 2026-05-14, Thursday 13 August
    with SmtpTestServer() as server:
        settings = load_settings(smtp_config(tmp_path, database.url, server.port), {})
        assert run_nightly(settings, FIRST_NIGHT) == 0
        server.wait_for_messages(1)
        _record_the_complaint(database.engine)
        down = load_settings(_down(tmp_path, database.url), {})
        assert run_nightly(down, SECOND_NIGHT) == 1  # the relay is down: X -> Y waits in the outbox
        with database.engine.begin() as conn:
            conn.execute(
                text("UPDATE complaints SET closed_on = :d WHERE decision_id = 571"), {"d": date(2026, 5, 11)}
            )
        settings = load_settings(smtp_config(tmp_path, database.url, server.port), {})
        assert run_nightly(settings, date(2026, 7, 21)) == 0
        assert run_nightly(settings, date(2026, 7, 22)) == 0
        received = list(server.messages)
    [_reminder, notice] = _family_mail(received)
    assert notice["Message-ID"].startswith(f"<aw.c.571.arbitration.{X:%Y%m%d}.{z:%Y%m%d}.b1@")
    for part in _parts(notice):
        assert format_day(X, "nl") in part and format_day(z, "nl") in part
        assert format_day(Y, "nl") not in part  # never the date the family never received
    for digest in [r.message for r in received if r.rcpt_tos == ("an.peeters@infino.example",)]:
        assert format_day(Y, "nl") not in _parts(digest)[0]
    with database.engine.connect() as conn:
        fates = dict(
            conn.execute(
                select(corrections.c.new_deadline, messages.c.status).join(
                    messages, messages.c.id == corrections.c.message_pk
                )
            ).all()
        )
    assert {as_date(k): v for k, v in fates.items()} == {Y: "superseded", z: "sent"}

    # history shows the held notice (its failed attempt) and that it was superseded, then the one sent
    shown = CliRunner().invoke(
        cli, ["--config", str(tmp_path / "config.toml"), "history", "571", "--on", "2026-07-22"]
    )
    assert shown.exit_code == 0, shown.output
    lines = shown.output.splitlines()
    held = next(
        i for i, line in enumerate(lines) if f"correction to beneficiary 1: deadline {X} -> {Y}" in line
    )
    assert ": superseded (no longer true: the deadline changed again" in lines[held]
    assert any(
        f"{Y:%Y%m%d}" in line and "attempt correction" in line and "not delivered" in line for line in lines
    )
    told = next(
        i for i, line in enumerate(lines) if f"correction to beneficiary 1: deadline {X} -> {z}" in line
    )
    assert lines[told].endswith(": sent") and held < told
    quoted = next(i for i, line in enumerate(lines) if f"deadline {X}  stage 30d to beneficiary 1" in line)
    assert lines[quoted].endswith(f"(corrected to {z})")


def test_a_held_correction_still_true_goes_out_with_tonights_facts_and_its_held_digest_keeps_the_line(
    database: Database, tmp_path: Path
) -> None:
    _a_family(database.engine)
    with SmtpTestServer() as server:
        settings = load_settings(smtp_config(tmp_path, database.url, server.port), {})
        assert run_nightly(settings, FIRST_NIGHT) == 0
        server.wait_for_messages(1)
        _record_the_complaint(database.engine)
        assert run_nightly(load_settings(_down(tmp_path, database.url), {}), SECOND_NIGHT) == 1
        settings = load_settings(smtp_config(tmp_path, database.url, server.port), {})
        later = date(2026, 7, 22)
        assert run_nightly(settings, later) == 0
        received = server.wait_for_messages(3)
    [_reminder, notice] = _family_mail(received)
    assert notice["Reply-To"] == ADVISOR
    for part in _parts(notice):
        assert days_left_text((Y - later).days, "nl") in part  # tonight's days left, not night 2's
        assert format_day(X, "nl") in part and format_day(Y, "nl") in part
    [digest] = _family_mail(received, "an.peeters@infino.example")
    for part in _parts(digest):
        assert format_day(X, "nl") in part and format_day(Y, "nl") in part  # the correction's line kept


# A complaint closed 2026-04-28 restarts the term from 2026-05-01: the new safe deadline is Friday 2026-07-31,
# the latest Monday 2026-08-03 (Saturday 1 August moved to the next working day).
PAST_Y, LATEST = date(2026, 7, 31), date(2026, 8, 3)


def _record_a_complaint_seen_too_late(engine: Engine) -> None:
    with engine.begin() as conn:
        b.complaint(conn, 571, date(2026, 4, 1), date(2026, 4, 28))


def test_a_new_deadline_already_past_in_grace_tells_the_family_until_when_an_appeal_is_still_possible(
    database: Database, tmp_path: Path
) -> None:
    _a_family(database.engine)
    night = date(2026, 8, 1)
    with SmtpTestServer() as server:
        settings = load_settings(smtp_config(tmp_path, database.url, server.port), {})
        assert run_nightly(settings, FIRST_NIGHT) == 0
        _record_a_complaint_seen_too_late(database.engine)
        assert run_nightly(settings, night) == 0
        received = server.wait_for_messages(3)
        assert run_nightly(settings, date(2026, 8, 2)) == 0  # once
        assert len(server.messages) == 3
    [_reminder, notice] = _family_mail(received)
    assert notice["Reply-To"] == ADVISOR
    assert format_day(LATEST, "nl") in notice["Subject"]
    for part in _parts(notice):
        for day in (X, PAST_Y, LATEST):
            assert format_day(day, "nl") in part
        assert "al voorbij" in part and "An Peeters" in part  # the safe date has passed; contact the advisor
    [digest] = _family_mail(received, "an.peeters@infino.example")
    assert format_day(LATEST, "nl") in _parts(digest)[0]
    report = (tmp_path / "reports" / night.isoformat() / "corrections.csv").read_text(encoding="utf-8")
    assert report.splitlines()[1:] == [f"571,arbitration,1,{X},{PAST_Y},complaint,sent"]


def test_a_new_deadline_past_for_good_mails_no_family_but_the_digest_and_report_list_it_to_call(
    database: Database, tmp_path: Path
) -> None:
    _a_family(database.engine)
    night = date(2026, 8, 4)
    with SmtpTestServer() as server:
        settings = load_settings(smtp_config(tmp_path, database.url, server.port), {})
        assert run_nightly(settings, FIRST_NIGHT) == 0
        _record_a_complaint_seen_too_late(database.engine)
        assert run_nightly(settings, night) == 0
        received = server.wait_for_messages(2)
        assert run_nightly(settings, date(2026, 8, 5)) == 0
        assert len(server.messages) == 2  # the first reminder and one digest: nothing to the family
    assert len(_family_mail(received)) == 1
    [digest] = _family_mail(received, "an.peeters@infino.example")
    for part in _parts(digest):
        for day in (X, PAST_Y, LATEST):
            assert format_day(day, "nl") in part
        assert "Graag bellen" in part
    folder = tmp_path / "reports" / night.isoformat()
    rows = (folder / "corrections.csv").read_text(encoding="utf-8").splitlines()[1:]
    assert rows == [f"571,arbitration,1,{X},{PAST_Y},complaint,to_call"]
    page = (folder / "report.html").read_text(encoding="utf-8")
    section = page[page.index('id="act-corrections"') : page.index('id="act-advisors"')]
    assert phrases(settings.report.language).report.words["corr_to_call"] in unescape(section)
    with database.engine.connect() as conn:
        [row] = conn.execute(select(corrections)).mappings().all()
    assert row["status"] == "unreachable" and str(row["detail"]).startswith("too late")


# -- a date that comes back: each correction is keyed by the change (the old deadline and the new one) ----------


def _complaint_closed_on(engine: Engine, closed: date) -> None:
    with engine.begin() as conn:
        conn.execute(text("UPDATE complaints SET closed_on = :d WHERE decision_id = 571"), {"d": closed})


def test_a_date_that_comes_back_is_told_again_each_change_once(database: Database, tmp_path: Path) -> None:
    """X quoted; night 2 Y (told X -> Y); night 3 Z (told Y -> Z); night 4 Y again (told Z -> Y). Each night
    runs twice and the last night once more: one notice per change, no more."""
    _a_family(database.engine)
    z = date(
        2026, 8, 13
    )  # the complaint's closing corrected to 2026-05-11: from 2026-05-14, Thursday 13 August
    nights = [(date(2026, 7, 20), X, Y), (date(2026, 7, 21), Y, z), (date(2026, 7, 22), z, Y)]
    with SmtpTestServer() as server:
        settings = load_settings(smtp_config(tmp_path, database.url, server.port), {})
        assert run_nightly(settings, FIRST_NIGHT) == 0
        server.wait_for_messages(1)
        _record_the_complaint(database.engine)  # closed 2026-05-01: Y
        for night, _old, new in nights:
            if night > SECOND_NIGHT:
                _complaint_closed_on(database.engine, date(2026, 5, 11) if new == z else date(2026, 5, 1))
            before = len(_family_mail(list(server.messages)))
            assert run_nightly(settings, night) == 0
            assert run_nightly(settings, night) == 0  # a rerun of the night sends nothing more
            assert len(_family_mail(list(server.messages))) == before + 1, night
        assert run_nightly(settings, date(2026, 7, 23)) == 0  # nor does the next night
        received = list(server.messages)
    [_reminder, *notices] = _family_mail(received)
    assert len(notices) == 3
    for notice, (_night, old, new) in zip(notices, nights, strict=True):
        assert notice["Message-ID"] == f"<aw.c.571.arbitration.{old:%Y%m%d}.{new:%Y%m%d}.b1@infino.example>"
        for part in _parts(notice):
            assert format_day(old, "nl") in part and format_day(new, "nl") in part
    assert len({n["Message-ID"] for n in notices}) == 3
    with database.engine.connect() as conn:
        told = conn.execute(
            select(corrections.c.old_deadline, corrections.c.new_deadline, messages.c.status)
            .join(messages, messages.c.id == corrections.c.message_pk)
            .order_by(corrections.c.id)
        ).all()
    assert [(as_date(o), as_date(n), s) for o, n, s in told] == [(o, n, "sent") for _night, o, n in nights]


def test_a_ledger_from_before_the_change_key_upgrades_keeping_its_rows_and_ids_and_tells_nothing_twice(
    database: Database, tmp_path: Path
) -> None:
    """A database at migration 0004 (the key held only the new deadline) whose family was told X -> Y under
    the Message-ID of that time: `init-db` upgrades it to 0005; the row and its Message-ID stay, a rerun and
    the next night send nothing, and later changes (Y -> Z, then Z -> Y) are told."""
    from alembic import command

    from jobs.db import _alembic_config, init_db
    from jobs.store import VERSION_TABLE

    _a_family(database.engine)
    old_id = f"<aw.c.571.arbitration.{Y:%Y%m%d}.b1@infino.example>"  # as 0004's code named it
    z = date(2026, 8, 13)
    with SmtpTestServer() as server:
        settings = load_settings(smtp_config(tmp_path, database.url, server.port), {})
        assert run_nightly(settings, FIRST_NIGHT) == 0
        _record_the_complaint(database.engine)
        assert run_nightly(settings, SECOND_NIGHT) == 0
        with database.engine.begin() as conn:
            conn.execute(messages.update().where(messages.c.kind == "correction").values(message_id=old_id))
            cfg = _alembic_config()
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0004")
        with database.engine.connect() as conn:
            assert conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar_one() == "0004"
            before = [dict(r) for r in conn.execute(select(corrections)).mappings()]
        sent = len(server.messages)

        assert init_db(database.engine) == []  # what `appealwatch init-db` does

        with database.engine.connect() as conn:
            assert conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar_one() == "0005"
            assert [dict(r) for r in conn.execute(select(corrections)).mappings()] == before
        assert run_nightly(settings, SECOND_NIGHT) == 0
        assert run_nightly(settings, date(2026, 7, 21)) == 0
        assert len(server.messages) == sent  # the change already told is found under the new key
        _complaint_closed_on(database.engine, date(2026, 5, 11))
        assert run_nightly(settings, date(2026, 7, 22)) == 0
        _complaint_closed_on(database.engine, date(2026, 5, 1))
        assert run_nightly(settings, date(2026, 7, 23)) == 0
        assert run_nightly(settings, date(2026, 7, 23)) == 0
        received = list(server.messages)
    notices = [m["Message-ID"] for m in _family_mail(received[sent:])]
    assert notices == [
        f"<aw.c.571.arbitration.{o:%Y%m%d}.{n:%Y%m%d}.b1@infino.example>" for o, n in ((Y, z), (z, Y))
    ]
    with database.engine.connect() as conn:
        kept = conn.execute(
            select(messages.c.message_id).join(corrections, corrections.c.message_pk == messages.c.id)
            .where(corrections.c.id == before[0]["id"])
        ).scalar_one()  # fmt: skip
    assert kept == old_id


def _to_call_count(part: str) -> int:
    """The digest's count of families to call or write to, as its count line says it (Dutch)."""
    import re

    [count] = re.findall(r"Te bellen of te schrijven: (\d+)", unescape(part))
    return int(count)


def test_a_correction_seen_too_late_counts_among_the_digests_families_to_call(
    database: Database, tmp_path: Path
) -> None:
    """The digest lists the family to call (test above); its count of families to call says so too."""
    _a_family(database.engine)
    with SmtpTestServer() as server:
        settings = load_settings(smtp_config(tmp_path, database.url, server.port), {})
        assert run_nightly(settings, FIRST_NIGHT) == 0
        _record_a_complaint_seen_too_late(database.engine)
        assert run_nightly(settings, date(2026, 8, 4)) == 0
        received = server.wait_for_messages(2)
    [digest] = _family_mail(received, "an.peeters@infino.example")
    for part in _parts(digest):
        assert "Graag bellen" in part
        assert _to_call_count(part) == 1


def test_a_held_notice_that_expired_undelivered_puts_the_family_in_the_digest_to_call_once(
    database: Database, tmp_path: Path
) -> None:
    """X quoted; night 2 tells X -> Y but the relay is down (notice and digest held); the relay comes back only
    after Y's latest deadline (Tuesday 4 August): the notice is expired, and that night's digest lists the
    family to call (and counts it), as the report does; a rerun and the next night add nothing."""
    _a_family(database.engine)
    night = date(2026, 8, 6)
    with SmtpTestServer() as server:
        settings = load_settings(smtp_config(tmp_path, database.url, server.port), {})
        assert run_nightly(settings, FIRST_NIGHT) == 0
        _record_the_complaint(database.engine)
        assert run_nightly(load_settings(_down(tmp_path, database.url), {}), SECOND_NIGHT) == 1
        settings = load_settings(smtp_config(tmp_path, database.url, server.port), {})
        run_nightly(settings, night)
        run_nightly(settings, night)
        run_nightly(settings, date(2026, 8, 7))
        received = list(server.messages)
    assert len(_family_mail(received)) == 1  # only the first reminder: the notice never went out
    [digest] = _family_mail(received, "an.peeters@infino.example")
    for part in _parts(digest):
        for day in (X, Y, date(2026, 8, 4)):
            assert format_day(day, "nl") in part
        assert "Graag bellen" in part
        assert _to_call_count(part) == 1
    with database.engine.connect() as conn:
        [(status, detail)] = conn.execute(
            select(messages.c.status, corrections.c.detail).join(
                corrections, corrections.c.message_pk == messages.c.id
            )
        ).all()
    assert status == "expired" and str(detail).startswith("too late")
    rows = (tmp_path / "reports" / night.isoformat() / "corrections.csv").read_text(encoding="utf-8")
    assert f"571,arbitration,1,{X},{Y},complaint,expired" in rows.splitlines()
